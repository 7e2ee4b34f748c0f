// One libFuzzer executable per target (ATTNLAB_FUZZ_TARGET names it; see fuzz_inputs.hpp).
#include <cstddef>
#include <cstdint>

#include "fuzz_inputs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    attnlab::fuzz::run_target(ATTNLAB_FUZZ_TARGET, data, size);
    return 0;
}
