#include "cli/files.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "cli/args.hpp"
#include "error.hpp"

namespace attnlab::cli {
namespace {

std::string os_error(const std::string& path, const char* what) {
    return path + ": cannot " + what + " (" + std::strerror(errno) + ")";
}

bool is_dir(const std::string& path) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

bool file_exists(const std::string& path) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0;
}

SharedBytes map_file(const std::string& path) {
    const int fd = open(path.c_str(), O_RDONLY);
    if (fd < 0) throw Error(os_error(path, "open"));
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        throw Error(path + ": not a regular file");
    }
    const std::size_t size = static_cast<std::size_t>(st.st_size);
    if (size == 0) {
        close(fd);
        return SharedBytes{ByteView{nullptr, 0}, nullptr};
    }
    void* p = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED) throw Error(os_error(path, "map"));
    std::shared_ptr<const void> owner(p, [size](const void* q) { munmap(const_cast<void*>(q), size); });
    return SharedBytes{ByteView{static_cast<const std::uint8_t*>(p), size}, owner};
}

void release_mapped_pages(const std::vector<NamedBuffer>& files, const void* data, std::size_t bytes) {
    const auto first = reinterpret_cast<std::uintptr_t>(data), last = first + bytes;
    for (const auto& f : files) {
        const auto begin = reinterpret_cast<std::uintptr_t>(f.bytes.bytes.data), end = begin + f.bytes.bytes.size;
        if (!f.bytes.bytes.data || first < begin || last > end) continue;
        const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
        const std::uintptr_t from = (first + page - 1) / page * page, to = last / page * page;
        // a private map of a file never written: its pages come back from the file when read again
        if (to > from) madvise(reinterpret_cast<void*>(from), to - from, MADV_DONTNEED);
        return;
    }
}

std::string read_text(const std::string& path) {
    if (path == "-") return std::string(std::istreambuf_iterator<char>(std::cin), {});
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(os_error(path, "open"));
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_file(const std::string& path, const void* data, std::size_t size) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(os_error(path, "create"));
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!out) throw Error(os_error(path, "write"));
}

void make_dir(const std::string& path) {
    if (is_dir(path)) return;
    if (mkdir(path.c_str(), 0755) != 0) throw Error(os_error(path, "create directory"));
}

std::vector<NamedBuffer> read_checkpoint_dir(const std::string& dir, bool tokenizer_only) {
    if (!is_dir(dir)) throw Error("--model " + dir + ": not a directory (expected a Hugging Face checkpoint folder)");
    std::vector<NamedBuffer> files;
    for (const auto& name : checkpoint_file_names()) {
        const bool tokenizer_file = name == "vocab.json" || name == "merges.txt" || name == "tokenizer.json";
        if (tokenizer_only && !tokenizer_file) continue;
        const std::string path = dir + "/" + name;
        if (file_exists(path)) files.push_back({name, map_file(path)});
    }
    // a sharded checkpoint: the shards its index names (plain file names in this folder, checked by the core)
    if (!tokenizer_only && !file_exists(dir + "/model.safetensors") && file_exists(dir + "/" + k_shard_index))
        for (const auto& shard : sharded_file_names(read_text(dir + "/" + k_shard_index)))
            if (file_exists(dir + "/" + shard)) files.push_back({shard, map_file(dir + "/" + shard)});
    if (!tokenizer_only && !file_exists(dir + "/model.safetensors") && file_exists(dir + "/pytorch_model.bin"))
        files.push_back({"pytorch_model.bin", SharedBytes{}});
    return files;
}

std::string text_argument(const Args& args, const std::string& command) {
    if (args.has("text") == args.has("text-file"))
        throw Error("attnlab " + command + ": give exactly one of --text S or --text-file F");
    return args.has("text") ? args.str("text") : read_text(args.str("text-file"));
}

std::string model_folder_name(const std::string& dir) {
    std::filesystem::path p(dir);
    if (!p.has_filename()) p = p.parent_path();  // a trailing slash
    std::string name = p.filename().string();
    if (name.empty() || name == "." || name == "..") {
        std::error_code ec;
        name = std::filesystem::weakly_canonical(p, ec).filename().string();
    }
    return name.empty() ? dir : name;
}

}  // namespace attnlab::cli
