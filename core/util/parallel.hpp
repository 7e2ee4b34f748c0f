// Work spread over the machine's threads, with results that never depend on how many there are.
#pragma once
#include <functional>

namespace attnlab {

// The threads parallel_for uses: OpenMP's (OMP_NUM_THREADS) in the native build, the browser's cores in the
// page's threaded build (attnlab-mt, when the page is cross-origin isolated), 1 in the page's single-thread build.
int compute_threads();
// The native build's thread count from now on (OpenMP's, as OMP_NUM_THREADS sets it): the CLI's --threads. The page's
// builds keep theirs (1, or the browser's cores).
void set_compute_threads(int threads);

// Runs task(i) for every i in [0, n) on up to compute_threads() threads and returns when all are done.
// Tasks must write disjoint outputs; callers split work into tasks in a way that does not depend on the
// number of threads, so every thread count gives the same bits. Called from inside a task (or an OpenMP
// parallel region), it runs the tasks in order on the calling thread. The first exception a task throws is
// rethrown here, after every running task has finished.
void parallel_for(int n, const std::function<void(int)>& task);

// [0, n) in consecutive blocks of `size` (the last one shorter): task(first, count) for each, by parallel_for.
void parallel_blocks(int n, int size, const std::function<void(int first, int count)>& task);

}  // namespace attnlab
