#include "cli/args.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <algorithm>

#include "error.hpp"

namespace attnlab::cli {

Args::Args(const std::vector<std::string>& argv, const CommandSpec& spec) : command_(spec.name), spec_(&spec) {
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (a.rfind("--", 0) != 0 || a.size() < 3)
            throw Error("attnlab " + command_ + ": unexpected argument '" + a + "' (flags look like --name value)");
        const std::string name = a.substr(2);
        const auto f = std::find_if(spec.flags.begin(), spec.flags.end(), [&](const FlagSpec& x) { return x.name == name; });
        if (f == spec.flags.end()) {
            std::string known;
            for (const auto& x : spec.flags) known += " --" + x.name;
            throw Error("attnlab " + command_ + ": unknown flag --" + name + " (accepted:" + known + "; see attnlab help " +
                        command_ + ")");
        }
        if (f->takes == FlagSpec::Takes::Switch) {
            values_[name] = "1";
        } else if (f->takes == FlagSpec::Takes::List) {
            auto& items = lists_[name];
            while (i + 1 < argv.size() && argv[i + 1].rfind("--", 0) != 0) items.push_back(argv[++i]);
            if (items.empty()) throw Error("attnlab " + command_ + ": flag --" + name + " needs at least one value");
            values_[name] = items.front();
        } else {
            if (i + 1 >= argv.size()) throw Error("attnlab " + command_ + ": flag --" + name + " needs a value");
            values_[name] = argv[++i];
        }
    }
    for (const auto& f : spec.flags)
        if (f.required && !has(f.name)) throw Error("attnlab " + command_ + ": --" + f.name + " is required");
}

const FlagSpec& Args::declared(const std::string& name) const {
    for (const auto& f : spec_->flags)
        if (f.name == name) return f;
    throw Error("attnlab " + command_ + ": internal error: no flag --" + name + " is declared");
}

std::string Args::str(const std::string& name) const { return str(name, declared(name).default_text); }

int Args::integer(const std::string& name, int min, int max) const {
    const std::string d = declared(name).default_text;
    return integer(name, has(name) ? 0 : std::stoi(d), min, max);
}

double Args::number(const std::string& name) const {
    const std::string d = declared(name).default_text;
    return number(name, has(name) ? 0.0 : std::stod(d));
}

std::string Args::str(const std::string& name, const std::string& fallback) const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
}

std::string Args::required(const std::string& name) const {
    if (!has(name)) throw Error("attnlab " + command_ + ": --" + name + " is required");
    return str(name);
}

int Args::integer(const std::string& name, int fallback, int min, int max) const {
    if (!has(name)) return fallback;
    const std::string s = str(name);
    char* end = nullptr;
    errno = 0;
    const long v = std::strtol(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0' || errno != 0 || v < min || v > max)
        throw Error("attnlab " + command_ + ": --" + name + " must be an integer in " + std::to_string(min) + ".." +
                    std::to_string(max) + " (got '" + s + "')");
    return static_cast<int>(v);
}

double Args::number(const std::string& name, double fallback) const {
    if (!has(name)) return fallback;
    const std::string s = str(name);
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0' || !std::isfinite(v))
        throw Error("attnlab " + command_ + ": --" + name + " must be a number (got '" + s + "')");
    return v;
}

std::vector<std::string> Args::list(const std::string& name) const {
    auto it = lists_.find(name);
    return it == lists_.end() ? std::vector<std::string>{} : it->second;
}

namespace {

// The comma-separated items of a flag's value, each read by `parse` (false: not one), or Error naming `kind`.
template <class T, class Parse>
std::vector<T> comma_list(const std::string& command, const std::string& name, const std::string& s, const char* kind,
                          Parse parse) {
    std::vector<T> out;
    std::size_t pos = 0;
    while (pos <= s.size()) {
        std::size_t comma = s.find(',', pos);
        if (comma == std::string::npos) comma = s.size();
        const std::string item = s.substr(pos, comma - pos);
        T v{};
        if (item.empty() || !parse(item, v))
            throw Error("attnlab " + command + ": --" + name + " must be a comma-separated list of " + kind + " (bad item '" +
                        item + "')");
        out.push_back(v);
        pos = comma + 1;
    }
    return out;
}

}  // namespace

std::vector<int> Args::int_list(const std::string& name, const std::vector<int>& fallback) const {
    if (!has(name)) return fallback;
    return comma_list<int>(command_, name, str(name), "integers", [](const std::string& item, int& v) {
        char* end = nullptr;
        errno = 0;
        const long x = std::strtol(item.c_str(), &end, 10);
        v = static_cast<int>(x);
        return *end == '\0' && errno == 0 && x >= -(1L << 30) && x <= (1L << 30);
    });
}

std::vector<double> Args::number_list(const std::string& name, const std::vector<double>& fallback) const {
    if (!has(name)) return fallback;
    return comma_list<double>(command_, name, str(name), "numbers", [](const std::string& item, double& v) {
        char* end = nullptr;
        v = std::strtod(item.c_str(), &end);
        return *end == '\0' && std::isfinite(v);
    });
}

}  // namespace attnlab::cli
