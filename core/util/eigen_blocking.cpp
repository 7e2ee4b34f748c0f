#include "util/eigen_blocking.hpp"

#include <Eigen/Core>

namespace attnlab {

void fix_eigen_blocking() { Eigen::setCpuCacheSizes(32 * 1024, 256 * 1024, 2 * 1024 * 1024); }

}  // namespace attnlab
