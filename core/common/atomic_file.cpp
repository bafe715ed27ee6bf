#include "core/common/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/common/error.h"
#include "core/common/error_text.h"

namespace fs = std::filesystem;

namespace p2p {

namespace {

void fsyncPath(const std::string& path, bool directory) {
    const int fd = ::open(path.c_str(), directory ? (O_RDONLY | O_DIRECTORY) : O_RDONLY);
    if (fd < 0) throw Error("cannot open " + path + " to sync it: " + std::strerror(errno));
    const int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0 && !directory) throw Error("cannot sync " + path + ": " + std::strerror(errno));
}

}  // namespace

void writeFileAtomically(const std::string& path, const std::function<void(const std::string&)>& write) {
    static std::atomic<unsigned> counter{0};
    const fs::path target(path);
    const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
    // The temporary name must stay within NAME_MAX (255 bytes) even for a target name near that limit.
    const std::string base = target.filename().string().substr(0, 160);
    const std::string temporary =
        (folder / ("." + base + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++))).string();
    try {
        write(temporary);
        fsyncPath(temporary, false);
        std::error_code ec;
        fs::rename(temporary, target, ec);
        if (ec) throw Error("cannot rename " + temporary + " to " + path + ": " + ec.message());
        fsyncPath(folder.string(), true);
    } catch (const Error&) {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        throw;
    } catch (const std::exception& e) {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        throw Error("cannot write " + path + ": " + e.what());
    }
}

void writeFileAtomically(const std::string& path, std::string_view bytes) {
    writeFileAtomically(path, [&](const std::string& temporary) {
        errno = 0;  // so that a failure's reason is this write's
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.flush();
        if (!out) throw Error("cannot write " + temporary + ": " + systemReason());
    });
}

uint64_t folderBytes(const std::string& folder) {
    std::error_code ec;
    uint64_t total = 0;
    for (std::filesystem::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code sizeError;
        if (it->is_regular_file(sizeError)) {
            const auto size = it->file_size(sizeError);
            if (!sizeError) total += size;
        }
    }
    return total;
}

std::string formatBytes(uint64_t bytes) {
    const char* units[] = {"B", "kB", "MB", "GB", "TB"};
    double value = static_cast<double>(bytes);
    int unit = 0;
    while (value >= 1000 && unit < 4) {
        value /= 1000;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, unit > 0 && value < 100 ? "%.1f %s" : "%.0f %s", value, units[unit]);
    return text;
}

}  // namespace p2p
