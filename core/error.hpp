// The one error type of attnlab. Every failure a user can cause (a bad file, bad text, a bad flag) is
// reported as attnlab::Error with a message that names the input and says what is wrong with it.
#pragma once
#include <stdexcept>
#include <string>

namespace attnlab {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace attnlab
