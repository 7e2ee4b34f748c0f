#include "attention/hull_index.hpp"

#include <iterator>
#include <limits>

namespace attnlab {
namespace {

constexpr double k_inf = std::numeric_limits<double>::infinity();

}  // namespace

// The upper envelope of lines y = slope t + intercept (KACTL's LineContainer, for doubles): lines sorted by
// slope; each knows the t where its successor takes over; lines never on top are removed. Unlike KACTL, a line
// on top at one point only (its `until` equals its predecessor's) stays, since it may be the latest of a tie.
void HullIndex::add(Envelope& env, double slope, double intercept, int id, std::size_t seq) {
    auto meet = [&env](Envelope::iterator a, Envelope::iterator b) {  // sets a->until; true if b is never on top
        if (b == env.end()) {
            a->until = k_inf;
            return false;
        }
        if (a->slope == b->slope) a->until = a->intercept > b->intercept ? k_inf : -k_inf;
        else a->until = (b->intercept - a->intercept) / (a->slope - b->slope);
        return a->until > b->until;
    };
    // an identical earlier line is replaced outright: the new key wins every tie with it
    auto same = env.find(Line{slope, intercept, id, seq, 0.0});
    if (same != env.end()) {
        same->id = id;
        same->seq = seq;
        return;
    }
    auto z = env.insert({slope, intercept, id, seq, 0.0}), y = z++, x = y;
    while (meet(y, z)) z = env.erase(z);
    if (x != env.begin() && meet(--x, y)) meet(x, y = env.erase(y));
    while ((y = x) != env.begin() && (--x)->until > y->until) meet(x, env.erase(y));
}

int HullIndex::best_near(const Envelope& env, double t, double a, double b) {
    // the line leading at t, every line through the same breakpoint after it, and one neighbour either side in
    // case rounding moved a breakpoint past t
    auto it = env.lower_bound(t);
    if (it == env.end()) it = std::prev(env.end());
    if (it != env.begin()) --it;
    int best = -1;
    std::size_t best_seq = 0;
    double best_value = -k_inf;
    for (int beyond = 0; it != env.end() && beyond < 2; ++it) {
        const double value = a * it->slope + b * it->intercept;  // q . k, with (a, b) = q or -q as the lines are k or -k
        if (value > best_value || (value == best_value && it->seq > best_seq)) {
            best_value = value;
            best = it->id;
            best_seq = it->seq;
        }
        if (it->until > t) ++beyond;
    }
    return best;
}

void HullIndex::insert(double x, double y, int id) {
    add(upper_, x, y, id, count_);
    add(lower_, -x, -y, id, count_);  // max of -(y + t x) is the min of y + t x
    if (count_ == 0 || x >= max_x_) { max_x_ = x; max_x_id_ = id; }
    if (count_ == 0 || x <= min_x_) { min_x_ = x; min_x_id_ = id; }
    last_id_ = id;
    ++count_;
}

int HullIndex::argmax(double qx, double qy) const {
    if (count_ == 0) return -1;
    if (qy > 0) return best_near(upper_, qx / qy, qx, qy);
    if (qy < 0) return best_near(lower_, qx / qy, -qx, -qy);
    if (qx == 0) return last_id_;  // the zero query ties every key
    return qx > 0 ? max_x_id_ : min_x_id_;
}

}  // namespace attnlab
