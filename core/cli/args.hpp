// Command-line flags: "--name value" pairs (and bare "--switch"), checked against what a command accepts.
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

namespace attnlab::cli {

class Args {
public:
    // argv after the command words; `valued` take a value, `switches` do not. Unknown flags throw Error.
    // `lists` take one or more values (until the next --flag); list() returns them.
    Args(const std::vector<std::string>& argv, const std::string& command, const std::set<std::string>& valued,
         const std::set<std::string>& switches = {}, const std::set<std::string>& lists = {});

    bool has(const std::string& name) const { return values_.count(name) > 0; }
    std::string str(const std::string& name, const std::string& fallback = "") const;
    std::string required(const std::string& name) const;
    int integer(const std::string& name, int fallback, int min, int max) const;
    double number(const std::string& name, double fallback) const;
    std::vector<int> int_list(const std::string& name, const std::vector<int>& fallback) const;
    std::vector<double> number_list(const std::string& name, const std::vector<double>& fallback) const;
    std::vector<std::string> list(const std::string& name) const;

private:
    std::string command_;
    std::map<std::string, std::string> values_;
    std::map<std::string, std::vector<std::string>> lists_;
};

}  // namespace attnlab::cli
