#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "util/eigen_blocking.hpp"

// The tests compute with the blocking the command line computes with (core/cli/main.cpp).
int main(int argc, char** argv) {
    attnlab::fix_eigen_blocking();
    return doctest::Context(argc, argv).run();
}
