#include "core/edges/edges.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/common/atomic_file.h"
#include "core/common/error.h"
#include "core/common/error_text.h"
#include "core/io/image_io.h"

namespace fs = std::filesystem;

namespace p2p {

namespace {

std::string number(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

}  // namespace

void EdgeOptions::validate() const {
    if (!(low >= 0) || !(high >= 0) || low > 10000 || high > 10000)
        throw Error("edge thresholds must be between 0 and 10000 (low " + number(low) + ", high " +
                    number(high) + ")");
    if (low > high)
        throw Error("the low edge threshold (" + number(low) + ") must not exceed the high one (" +
                    number(high) + ")");
    if (blur != 0 && (blur < 3 || blur > 31 || blur % 2 == 0))
        throw Error("blur must be 0 (none) or an odd kernel size from 3 to 31, got " + std::to_string(blur));
    if (thickness < 1 || thickness > 15)
        throw Error("thickness must be from 1 to 15, got " + std::to_string(thickness));
}

cv::Mat photoToEdges(const cv::Mat& bgr, const EdgeOptions& options) {
    options.validate();
    if (bgr.empty() || bgr.type() != CV_8UC3) throw Error("photoToEdges expects a BGR CV_8UC3 image");
    cv::Mat grey, edges;
    cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
    if (options.blur > 0) cv::GaussianBlur(grey, grey, cv::Size(options.blur, options.blur), 0);
    cv::Canny(grey, edges, options.low, options.high);
    if (options.thickness > 1)
        cv::dilate(
            edges, edges,
            cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(options.thickness, options.thickness)));
    cv::Mat sketch;
    cv::cvtColor(255 - edges, sketch, cv::COLOR_GRAY2BGR);
    return sketch;
}

std::string toString(PhotoSide side) {
    switch (side) {
        case PhotoSide::Left:
            return "left";
        case PhotoSide::Right:
            return "right";
        case PhotoSide::Whole:
            break;
    }
    return "whole";
}

PhotoSide photoSideFromString(const std::string& s) {
    if (s == "whole") return PhotoSide::Whole;
    if (s == "left") return PhotoSide::Left;
    if (s == "right") return PhotoSide::Right;
    throw Error("side '" + s + "' is not one of whole, left, right");
}

void EdgeDatasetOptions::validate() const {
    edges.validate();
}

std::string EdgeDatasetSummary::text() const {
    std::ostringstream s;
    s << "Edges dataset: " << output << " (from " << input << ")\n";
    s << "Layout: aligned A|B = edges|photo (train edges->photo with direction AtoB)\n";
    int total = 0;
    for (const auto& [split, count] : written) {
        s << "  " << (split.empty() ? "(no split folders)" : split) << ": " << count << " pairs\n";
        total += count;
    }
    s << "Written: " << total << "\n";
    for (const auto& n : notes) s << "Note: " << n << "\n";
    if (!skipped.empty()) {
        s << "Skipped " << skipped.size() << " file(s):\n";
        for (const auto& f : skipped) s << "  " << f.path << ": " << f.reason << "\n";
    }
    return s.str();
}

namespace {

bool samePath(const fs::path& a, const fs::path& b) {
    std::error_code ec;
    return fs::exists(a, ec) && fs::exists(b, ec) && fs::equivalent(a, b, ec);
}

}  // namespace

EdgeDatasetSummary makeEdgesDataset(const std::string& photosDir, const std::string& outputDir,
                                    const EdgeDatasetOptions& options, const EdgeProgress& progress) {
    options.validate();
    const fs::path input(photosDir), output(outputDir);
    std::error_code ec;
    if (!fs::is_directory(input, ec))
        throw Error("the photo folder " + photosDir + " does not exist or is not a folder");
    if (outputDir.empty()) throw Error("no output folder given");

    std::vector<std::string> splits;
    for (const char* s : {"train", "test", "val"})
        if (fs::is_directory(input / s, ec)) splits.emplace_back(s);
    if (splits.empty()) splits.emplace_back("");

    for (const auto& split : splits)
        if (samePath(input / split, output) || samePath(input / split, output / split))
            throw Error("the output folder " + outputDir + " is the photo folder; choose another one");

    struct Job {
        std::string split;
        std::string path;
    };
    std::vector<Job> jobs;
    EdgeDatasetSummary summary;
    summary.input = photosDir;
    summary.output = outputDir;
    int ignored = 0;
    for (const auto& split : splits) {
        const fs::path folder = input / split;
        fs::directory_iterator it(folder, ec);
        if (ec) throw Error("cannot read the folder " + folder.string() + " (" + ec.message() + ")");
        std::vector<std::string> files;
        for (const fs::directory_iterator end; it != end; it.increment(ec)) {
            if (ec) throw Error("cannot read the folder " + folder.string() + " (" + ec.message() + ")");
            const std::string name = it->path().filename().string();
            if (name.empty() || name[0] == '.' || it->is_directory(ec)) continue;
            if (hasSupportedImageExtension(it->path().string()))
                files.push_back(it->path().string());
            else
                ++ignored;
        }
        std::sort(files.begin(), files.end());
        for (auto& f : files) jobs.push_back({split, std::move(f)});
    }
    if (jobs.empty())
        throw Error(
            "no images in " + photosDir +
            " (expected jpg, jpeg, png, bmp, webp, tif or tiff files, directly or in train/, test/, val/)");

    std::map<std::string, std::string> writtenNames;  // output path -> input path, to catch 1.jpg + 1.png
    const int total = static_cast<int>(jobs.size());
    for (int i = 0; i < total; ++i) {
        if (progress && !progress(i, total)) throw Error("cancelled");
        const Job& job = jobs[static_cast<size_t>(i)];
        try {
            LoadedImage image = loadImage(job.path);
            cv::Mat photo = image.bgr;
            if (options.side != PhotoSide::Whole) {
                const int half = photo.cols / 2;
                if (half < 1) throw Error(job.path + ": too narrow to take a half");
                photo = options.side == PhotoSide::Left ? photo(cv::Rect(0, 0, half, photo.rows)).clone()
                                                        : photo(cv::Rect(half, 0, half, photo.rows)).clone();
            }
            const cv::Mat sketch = photoToEdges(photo, options.edges);
            cv::Mat pair;
            cv::hconcat(sketch, photo, pair);
            const fs::path folder = output / job.split;
            fs::create_directories(folder, ec);
            if (ec) throw Error("cannot create the folder " + folder.string() + " (" + ec.message() + ")");
            const fs::path target = folder / (fs::path(job.path).stem().string() + ".png");
            if (auto [it, inserted] = writtenNames.emplace(target.string(), job.path); !inserted)
                throw Error(job.path + ": has the same name as " + it->second + " (both would be " +
                            target.string() + ")");
            saveImage(target.string(), pair);
            ++summary.written[job.split];
        } catch (const Error& e) {
            std::string reason = e.what();
            if (reason.rfind(job.path + ": ", 0) == 0) reason = reason.substr(job.path.size() + 2);
            summary.skipped.push_back({job.path, reason});
        }
    }
    if (progress) progress(total, total);
    if (summary.written.empty())
        throw Error("no image of " + photosDir + " could be converted; e.g. " + summary.skipped.front().path +
                    ": " + summary.skipped.front().reason);
    std::ostringstream opts;
    opts << "Canny low " << options.edges.low << ", high " << options.edges.high << ", blur "
         << options.edges.blur << ", thickness " << options.edges.thickness << ", photo side "
         << toString(options.side);
    summary.notes.push_back(opts.str());
    if (ignored > 0) summary.notes.push_back(std::to_string(ignored) + " non-image file(s) ignored");
    writeFileAtomically((output / "edges_summary.txt").string(), summary.text());
    return summary;
}

}  // namespace p2p
