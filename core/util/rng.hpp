// A small deterministic random generator (SplitMix64 + Box-Muller) that gives the same numbers on every
// platform and standard library, so a seed means the same model natively and in WebAssembly.
#pragma once
#include <cmath>
#include <cstdint>

namespace attnlab {

class Rng {
public:
    explicit Rng(std::uint64_t seed) : state_(seed) {}

    // The whole state of a generator that has drawn no normal() yet (or an even number of them):
    // Rng(g.state()) continues exactly where g is.
    std::uint64_t state() const { return state_; }

    std::uint64_t next_u64() {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    // uniform in [0, 1)
    double uniform() { return static_cast<double>(next_u64() >> 11) * (1.0 / 9007199254740992.0); }
    // uniform integer in [0, n)
    std::uint64_t below(std::uint64_t n) { return next_u64() % n; }
    // standard normal
    double normal() {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        double u1 = uniform(), u2 = uniform();
        if (u1 < 1e-300) u1 = 1e-300;
        const double r = std::sqrt(-2.0 * std::log(u1));
        spare_ = r * std::sin(2.0 * M_PI * u2);
        has_spare_ = true;
        return r * std::cos(2.0 * M_PI * u2);
    }

private:
    std::uint64_t state_;
    double spare_ = 0.0;
    bool has_spare_ = false;
};

}  // namespace attnlab
