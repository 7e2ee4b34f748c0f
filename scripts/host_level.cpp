// Prints the best x86-64 microarchitecture level this CPU runs that attnlab builds for: x86-64-v3 (AVX2, FMA,
// BMI2), x86-64-v2 (SSE4.2, POPCNT) or x86-64. CMake runs it when ATTNLAB_ARCH is "host".
#include <cstdio>

int main() {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2")) {
        std::puts("x86-64-v3");
        return 0;
    }
    if (__builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("popcnt")) {
        std::puts("x86-64-v2");
        return 0;
    }
#endif
    std::puts("x86-64");
    return 0;
}
