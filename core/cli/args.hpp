// Command-line flags: "--name value" pairs (and bare "--switch"), checked against what a command declares
// (cli/command_spec.hpp). A flag's literal default comes from its declaration.
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include "cli/command_spec.hpp"

namespace attnlab::cli {

class Args {
public:
    // argv after the command words. Unknown flags throw Error listing the accepted ones; list flags take one
    // or more values (until the next --flag), and list() returns them.
    Args(const std::vector<std::string>& argv, const CommandSpec& spec);

    bool has(const std::string& name) const { return values_.count(name) > 0; }
    std::string str(const std::string& name, const std::string& fallback) const;
    std::string str(const std::string& name) const;  // the declared default (or "") when absent
    std::string required(const std::string& name) const;
    int integer(const std::string& name, int fallback, int min, int max) const;
    int integer(const std::string& name, int min, int max) const;  // the declared default when absent
    double number(const std::string& name, double fallback) const;
    double number(const std::string& name) const;
    std::vector<int> int_list(const std::string& name, const std::vector<int>& fallback) const;
    std::vector<double> number_list(const std::string& name, const std::vector<double>& fallback) const;
    std::vector<std::string> list(const std::string& name) const;

private:
    const FlagSpec& declared(const std::string& name) const;

    std::string command_;
    const CommandSpec* spec_;
    std::map<std::string, std::string> values_;
    std::map<std::string, std::vector<std::string>> lists_;
};

}  // namespace attnlab::cli
