// Hard-max attention in O(log n) for 2-D keys (docs/science.md section 6): the key maximising q . k is a vertex
// of the keys' convex hull, so an index that keeps the hull as keys arrive answers each query by binary
// search instead of a scan.
//   For q = (qx, qy) with qy > 0: q . k = qy (k_y + t k_x) with t = qx / qy, the upper envelope of the lines
//   y = k_x t + k_y at t (the upper hull); qy < 0 uses the lower envelope; qy = 0 the extreme k_x.
// Insertion keeps each envelope as an ordered set of lines with the breakpoints between neighbours:
// amortised O(log n); a query is one search by breakpoint, O(log n). The few envelope lines next to the
// breakpoint found are compared by the exact dot product, so rounding in a breakpoint never changes the answer.
// Ties (attnlab's one rule, shared with the hard-max normaliser): among keys with exactly the largest q . k,
// the one inserted last wins, as a memory lookup needs ("the latest write wins"). Lines that touch the envelope
// at a single point are kept for this, so a query at a breakpoint looks at every line through it: O(log n + m)
// for m tied keys.
#pragma once
#include <cstddef>
#include <set>

namespace attnlab {

class HullIndex {
public:
    // Adds key number `id` = (x, y).
    void insert(double x, double y, int id);
    // The id of the key with the largest q . k (among equal maxima, the one inserted last); -1 when empty.
    int argmax(double qx, double qy) const;
    std::size_t size() const { return count_; }

private:
    struct Line {
        double slope, intercept;
        mutable int id;           // mutable: an identical later key takes the line over
        mutable std::size_t seq;  // insertion order: the tie rule
        mutable double until;  // this line leads the envelope up to t = until
        bool operator<(const Line& o) const { return slope < o.slope || (slope == o.slope && intercept < o.intercept); }
        bool operator<(double t) const { return until < t; }
    };
    using Envelope = std::multiset<Line, std::less<>>;
    static void add(Envelope& env, double slope, double intercept, int id, std::size_t seq);
    static int best_near(const Envelope& env, double t, double a, double b);

    Envelope upper_, lower_;  // lower_ holds the negated lines: its upper envelope is the lower hull
    int max_x_id_ = -1, min_x_id_ = -1, last_id_ = -1;
    double max_x_ = 0, min_x_ = 0;
    std::size_t count_ = 0;
};

}  // namespace attnlab
