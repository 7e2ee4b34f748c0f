#include "util/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#if defined(_OPENMP)
#include <omp.h>
#elif defined(__EMSCRIPTEN_PTHREADS__)
#include <condition_variable>
#include <thread>
#include <vector>
#endif

namespace attnlab {
namespace {

// Set on a thread while it runs tasks, so that a nested parallel_for stays on that thread.
thread_local bool t_in_task = false;

// Runs tasks from a shared counter until none is left; keeps the first exception.
[[maybe_unused]] void drain(int n, const std::function<void(int)>& task, std::atomic<int>& next, std::exception_ptr& error,
           std::mutex& error_mutex) {
    t_in_task = true;
    for (int i = next++; i < n; i = next++) {
        try {
            task(i);
        } catch (...) {
            std::lock_guard<std::mutex> lock(error_mutex);
            if (!error) error = std::current_exception();
            next = n;  // start no further task
        }
    }
    t_in_task = false;
}

#if defined(__EMSCRIPTEN_PTHREADS__)
// The page's threaded build has no OpenMP: its helpers are pthreads started once, on the first parallel_for,
// from the Workers the module preloads, and kept waiting for work (a thread started per call cost about
// a millisecond each in Chromium; the forward pass of GPT-2 makes over a hundred calls).
class HelperPool {
public:
    explicit HelperPool(int helpers) {
        for (int t = 0; t < helpers; ++t) threads_.emplace_back([this] { serve(); });
    }
    int helpers() const { return static_cast<int>(threads_.size()); }

    // task(0..n) on the helpers and the calling thread; returns when every helper is done with it.
    void run(int n, const std::function<void(int)>& task, std::atomic<int>& next, std::exception_ptr& error,
             std::mutex& error_mutex) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            job_ = Job{n, &task, &next, &error, &error_mutex};
            ++generation_;
            working_ = helpers();
        }
        wake_.notify_all();
        drain(n, task, next, error, error_mutex);
        std::unique_lock<std::mutex> lock(mutex_);
        done_.wait(lock, [this] { return working_ == 0; });
    }

private:
    struct Job {
        int n = 0;
        const std::function<void(int)>* task = nullptr;
        std::atomic<int>* next = nullptr;
        std::exception_ptr* error = nullptr;
        std::mutex* error_mutex = nullptr;
    };
    void serve() {
        long seen = 0;
        for (;;) {
            Job job;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                wake_.wait(lock, [&] { return generation_ != seen; });
                seen = generation_;
                job = job_;
            }
            drain(job.n, *job.task, *job.next, *job.error, *job.error_mutex);
            std::lock_guard<std::mutex> lock(mutex_);
            if (--working_ == 0) done_.notify_one();
        }
    }
    std::vector<std::thread> threads_;
    std::mutex mutex_;
    std::condition_variable wake_, done_;
    Job job_;
    long generation_ = 0;
    int working_ = 0;
};

// The one pool of the module (the page's worker is its only user), never destroyed: its threads live as
// long as the module.
HelperPool& helper_pool(int helpers) {
    static HelperPool* pool = new HelperPool(helpers);
    return *pool;
}
#endif

}  // namespace

int compute_threads() {
#if defined(_OPENMP)
    return std::max(1, omp_get_max_threads());
#elif defined(__EMSCRIPTEN_PTHREADS__)
    // navigator.hardwareConcurrency, asked once: a call into JavaScript on every parallel_for was 1% of a forward pass
    static const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    return cores;
#else
    return 1;
#endif
}

void set_compute_threads([[maybe_unused]] int threads) {
#if defined(_OPENMP)
    omp_set_num_threads(std::max(1, threads));
#endif
}

void parallel_for(int n, const std::function<void(int)>& task) {
    if (n <= 0) return;
    bool nested = t_in_task;
#if defined(_OPENMP)
    nested = nested || omp_in_parallel();
#endif
    const int threads = nested ? 1 : std::min(n, compute_threads());
    if (threads <= 1) {
        for (int i = 0; i < n; ++i) task(i);  // exceptions pass straight through
        return;
    }
#if defined(_OPENMP) || defined(__EMSCRIPTEN_PTHREADS__)  // (the page's single-thread build never gets here)
    std::atomic<int> next{0};
    std::exception_ptr error;
    std::mutex error_mutex;
#if defined(_OPENMP)
#pragma omp parallel num_threads(threads)
    drain(n, task, next, error, error_mutex);
#else
    // Every helper takes part (one that finds no task left returns at once).
    helper_pool(compute_threads() - 1).run(n, task, next, error, error_mutex);
#endif
    if (error) std::rethrow_exception(error);
#endif
}

void parallel_blocks(int n, int size, const std::function<void(int first, int count)>& task) {
    parallel_for((n + size - 1) / size, [&](int block) {
        const int first = block * size;
        task(first, std::min(size, n - first));
    });
}

}  // namespace attnlab
