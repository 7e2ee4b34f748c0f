// Eigen's matrix products, the same bits on every machine of one instruction set.
#pragma once

namespace attnlab {

// Eigen sizes the blocks of its matrix products from the cache sizes the CPU reports (cpuid), and the depth of a
// block decides the order in which each entry's sum is added: the same binary gave other last bits on a CPU with
// a 48 KiB L1 than on one with 32 KiB (the shipped averages, scripts/shipped-averages.sh). This sets Eigen's own
// x86 defaults (L1 32 KiB, L2 256 KiB, L3 2 MiB) for every product after it, whatever the CPU: a program calls it
// once at start, before any thread computes. The WebAssembly builds need no call: Eigen reads no cache sizes
// there. GPT-2's shape ran at the same speed either way (within run-to-run noise).
void fix_eigen_blocking();

}  // namespace attnlab
