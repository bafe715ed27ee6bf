#include "core/data/paired_dataset.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <set>
#include <sstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/common/error.h"
#include "core/data/deterministic_random.h"
#include "core/io/image_io.h"

namespace fs = std::filesystem;

namespace p2p {
namespace {

const char* const kSplitNames[] = {"train", "test", "val"};
constexpr int kMinPairSide = 2;

const std::string& expectedLayouts() {
    static const std::string text =
        "Expected one of these layouts (images: jpg, jpeg, png, bmp, webp, tif, tiff):\n"
        "  aligned:     ROOT/train/*.jpg, ROOT/test/*.jpg (A|B side by side, each half one image), or "
        "ROOT/*.jpg\n"
        "  two folders: ROOT/A/train + ROOT/B/train, ROOT/train/A + ROOT/train/B, ROOT/trainA + "
        "ROOT/trainB,\n"
        "               or ROOT/A + ROOT/B (matching file names, e.g. A/1.jpg and B/1.png)";
    return text;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

std::string sizeKey(cv::Size s) {
    return std::to_string(s.width) + "x" + std::to_string(s.height);
}

// Lists a folder's entries; a folder that cannot be read throws p2p::Error naming it.
std::vector<fs::directory_entry> listFolder(const fs::path& folder) {
    std::vector<fs::directory_entry> entries;
    std::error_code ec;
    fs::directory_iterator it(folder, ec);
    if (ec) throw Error("cannot read the folder " + folder.string() + " (" + ec.message() + ")");
    for (const fs::directory_iterator end; it != end; it.increment(ec)) {
        if (ec) throw Error("cannot read the folder " + folder.string() + " (" + ec.message() + ")");
        entries.push_back(*it);
    }
    if (ec) throw Error("cannot read the folder " + folder.string() + " (" + ec.message() + ")");
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.path().string() < b.path().string(); });
    return entries;
}

bool isDir(const fs::path& p) {
    std::error_code ec;
    return fs::is_directory(p, ec);
}

bool isHidden(const fs::path& p) {
    const std::string name = p.filename().string();
    return !name.empty() && name[0] == '.';
}

// The candidate image files of one folder (sorted, as the reference's sorted(make_dataset(...))).
struct FolderFiles {
    std::vector<std::string> images;
    std::vector<SkippedFile> unsupported;
    int ignored = 0;  // files that are not images at all (xml, txt, ...)
};

FolderFiles imageFiles(const fs::path& folder) {
    FolderFiles out;
    for (const auto& entry : listFolder(folder)) {
        if (isHidden(entry.path())) continue;
        std::error_code ec;
        if (entry.is_directory(ec)) continue;
        const std::string path = entry.path().string();
        const std::string ext = lower(entry.path().extension().string());
        if (hasSupportedImageExtension(path))
            out.images.push_back(path);
        else if (ext == ".gif")
            out.unsupported.push_back({path, "GIF is not supported (convert it to PNG)"});
        else
            ++out.ignored;
    }
    return out;
}

// One unit of the scan: an aligned folder, or an A and a B folder, for one split.
struct ScanUnit {
    std::string split;
    fs::path a;
    fs::path b;  // empty for aligned
};

struct Layout {
    DatasetLayout layout = DatasetLayout::Aligned;
    std::vector<ScanUnit> units;
    std::string description;
};

Layout detectLayout(const fs::path& root) {
    Layout out;
    auto sub = [&](const fs::path& p) { return isDir(p); };
    // Two folders.
    if (sub(root / "A") && sub(root / "B")) {
        out.layout = DatasetLayout::TwoFolders;
        for (const char* s : kSplitNames)
            if (sub(root / "A" / s) && sub(root / "B" / s))
                out.units.push_back({s, root / "A" / s, root / "B" / s});
        if (!out.units.empty()) {
            out.description = "two folders (A/<split>, B/<split>)";
        } else {
            out.units.push_back({"", root / "A", root / "B"});
            out.description = "two folders (A/, B/)";
        }
        return out;
    }
    for (const char* s : kSplitNames)
        if (sub(root / s / "A") && sub(root / s / "B"))
            out.units.push_back({s, root / s / "A", root / s / "B"});
    if (!out.units.empty()) {
        out.layout = DatasetLayout::TwoFolders;
        out.description = "two folders (<split>/A, <split>/B)";
        return out;
    }
    for (const char* s : kSplitNames) {
        const std::string name(s);
        if (sub(root / (name + "A")) && sub(root / (name + "B")))
            out.units.push_back({s, root / (name + "A"), root / (name + "B")});
    }
    if (!out.units.empty()) {
        out.layout = DatasetLayout::TwoFolders;
        out.description = "two folders (<split>A, <split>B)";
        return out;
    }
    // Aligned.
    out.layout = DatasetLayout::Aligned;
    for (const char* s : kSplitNames)
        if (sub(root / s)) out.units.push_back({s, root / s, {}});
    if (!out.units.empty()) {
        out.description = "aligned (A|B side by side, split folders)";
        return out;
    }
    out.units.push_back({"", root, {}});
    out.description = "aligned (A|B side by side)";
    return out;
}

// What a header says that loading will convert; counted into the scan's notes.
std::vector<std::string> headerNotes(const ImageHeader& h) {
    std::vector<std::string> notes;
    if (h.cmyk)
        notes.push_back("CMYK images will be converted to RGB");
    else if (h.channels == 1 || h.channels == 2)
        notes.push_back("grayscale images will be converted to 3 channels");
    if (!h.cmyk && (h.channels == 2 || h.channels == 4))
        notes.push_back("images with transparency will be composited over white");
    if (h.bit_depth == 16) notes.push_back("16-bit images will be scaled to 8 bits");
    if (h.palette && h.format == ImageFormat::Png) notes.push_back("palette images will be expanded to RGB");
    return notes;
}

std::string stemOf(const std::string& path) {
    return fs::path(path).stem().string();
}

std::string formatRatio(double r) {
    std::ostringstream o;
    o.setf(std::ios::fixed);
    o.precision(3);
    o << r;
    return o.str();
}

std::string percent(double fraction) {
    std::ostringstream o;
    o << fraction * 100 << "%";
    return o.str();
}

double aspectOf(cv::Size s) {
    return static_cast<double>(s.width) / std::max(1, s.height);
}

// Mean absolute difference between pixel columns x and x+1 (all channels), on a float image.
double columnStep(const cv::Mat& f, int x) {
    cv::Mat d;
    cv::absdiff(f.col(x), f.col(x + 1), d);
    const cv::Scalar m = cv::mean(d);
    return (m[0] + m[1] + m[2]) / 3.0;
}

// An A|B pair puts two different images side by side: there is a jump at the middle, and the halves
// differ (a label map or sketch beside a photo). A single photo cut in half runs on across the middle, and
// both halves have alike colours. Thresholds are in 0..255 levels.
bool looksLikeOnePicture(const cv::Mat& bgr) {
    const int half = bgr.cols / 2;
    if (half < 8 || bgr.rows < 4) return false;
    cv::Mat f;
    bgr.convertTo(f, CV_32FC3);
    std::vector<double> steps;
    for (int x : {half / 4, half / 2, 3 * half / 4, half + half / 4, half + half / 2, half + 3 * half / 4})
        if (x + 1 < f.cols && x != half - 1) steps.push_back(columnStep(f, x));
    std::nth_element(steps.begin(), steps.begin() + steps.size() / 2, steps.end());
    const double typical = steps[steps.size() / 2];
    const bool continuous = columnStep(f, half - 1) <= 2.0 * typical + 3.0;
    cv::Scalar meanL, stdL, meanR, stdR;
    cv::meanStdDev(bgr(cv::Rect(0, 0, half, bgr.rows)), meanL, stdL);
    cv::meanStdDev(bgr(cv::Rect(half, 0, half, bgr.rows)), meanR, stdR);
    double distance = 0;
    for (int c = 0; c < 3; ++c)
        distance = std::max(distance, std::abs(meanL[c] - meanR[c]) + std::abs(stdL[c] - stdR[c]));
    return continuous && distance < 30.0;
}

// Decodes small: the check only needs the picture's broad shape.
cv::Mat decodeReduced(const std::string& path, cv::Size size) {
    const int side = std::max(size.width, size.height);
    const int flag = side >= 4096   ? cv::IMREAD_REDUCED_COLOR_8
                     : side >= 2048 ? cv::IMREAD_REDUCED_COLOR_4
                     : side >= 1024 ? cv::IMREAD_REDUCED_COLOR_2
                                    : cv::IMREAD_COLOR;
    const std::vector<uint8_t> bytes = readFileBytes(path);
    try {
        return cv::imdecode(cv::Mat(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<uint8_t*>(bytes.data())),
                            flag);
    } catch (const cv::Exception&) {
        return {};
    }
}

constexpr double kMinAlignedAspect = 1.6;  // two portrait 4:5 halves side by side are 1.6 times as wide
constexpr int kLayoutSamples = 6;

// For an aligned layout: says when the images do not look like A|B pairs, naming the layouts expected.
std::string alignedLayoutWarning(const DatasetScan& scan) {
    std::vector<const PairEntry*> all;
    for (const auto& [name, pairs] : scan.splits)
        for (const auto& p : pairs) all.push_back(&p);
    if (all.empty()) return "";
    int narrow = 0, total = 0;
    std::string narrowExample;
    for (const auto& [size, count] : scan.image_sizes) {
        int w = 0, h = 0;
        if (std::sscanf(size.c_str(), "%dx%d", &w, &h) != 2 || h <= 0) continue;
        total += count;
        if (static_cast<double>(w) / h < kMinAlignedAspect) {
            narrow += count;
            if (narrowExample.empty()) narrowExample = size;
        }
    }
    int sampled = 0, pictures = 0;
    const size_t step = std::max<size_t>(1, all.size() / kLayoutSamples);
    for (size_t i = 0; i < all.size() && sampled < kLayoutSamples; i += step) {
        try {
            const ImageHeader h = readImageHeader(all[i]->a_path);
            const cv::Mat image = decodeReduced(all[i]->a_path, h.size);
            if (image.empty()) continue;
            ++sampled;
            if (looksLikeOnePicture(image)) ++pictures;
        } catch (const Error&) {
        }
    }
    std::vector<std::string> reasons;
    if (sampled > 0 && 2 * pictures > sampled)
        reasons.push_back(std::to_string(pictures) + " of " + std::to_string(sampled) +
                          " sampled images look like one picture (it runs on across the middle and both halves "
                          "have alike colours)");
    if (total > 0 && 2 * narrow > total)
        reasons.push_back(std::to_string(narrow) + " of " + std::to_string(total) + " images (e.g. " +
                          narrowExample + ") are less than 1.6" +
                          " times as wide as high, where an A|B pair of square halves is twice as wide");
    if (reasons.empty()) return "";
    std::string text = "these may not be A|B pairs: ";
    for (size_t i = 0; i < reasons.size(); ++i) text += (i ? "; " : "") + reasons[i];
    return text +
           ". Training cuts every image into a left half (A) and a right half (B). Expected: aligned A|B images "
           "(two pictures side by side, e.g. 512x256), or two folders A/ and B/ (or trainA/ trainB/) with "
           "matching file names";
}

uint64_t fnv1a(uint64_t hash, const std::string& bytes) {
    for (unsigned char c : bytes) {
        hash ^= c;
        hash *= 1099511628211ull;
    }
    return hash;
}

}  // namespace

// ---- DatasetScan ----------------------------------------------------------------------------------------

std::string DatasetScan::acceptedSplitNames() const {
    std::string names;
    for (const auto& [key, pairs] : splits)
        if (!key.empty()) names += (names.empty() ? "" : ", ") + key;
    if (splits.count("")) {
        names += std::string(names.empty() ? "" : ", ") +
                 "all (the pairs outside split folders; also: unsplit, ." +
                 (splits.count("train") ? "" : ", train") + ")";
    }
    return names;
}

std::string DatasetScan::resolveSplit(const std::string& name) const {
    if (splits.count(name)) return name;
    const bool unsplitAlias = name == "all" || name == "unsplit" || name == "." || name.empty() ||
                              (name == "train" && !splits.count("train"));
    if (unsplitAlias && splits.count("")) return "";
    throw Error("the dataset " + root + " has no split '" + name + "'; --split accepts: " + acceptedSplitNames());
}

const std::vector<PairEntry>& DatasetScan::split(const std::string& name) const {
    return splits.at(resolveSplit(name));
}

std::vector<std::string> DatasetScan::allNotes() const {
    std::vector<std::string> all = notes;
    all.insert(all.end(), pair_notes.begin(), pair_notes.end());
    return all;
}

std::string DatasetScan::trainSplit() const {
    if (splits.count("train")) return "train";
    if (splits.count("")) return "";
    std::string found;
    for (const auto& [key, pairs] : splits) found += (found.empty() ? "" : ", ") + key;
    throw Error("the dataset " + root +
                " has no train split and no unsplit images to train on (found: " + found + ")");
}

std::string DatasetScan::testSplit() const {
    if (splits.count("test")) return "test";
    if (splits.count("val")) return "val";
    return "";
}

std::string DatasetScan::summary() const {
    std::ostringstream s;
    s << "Dataset: " << root << "\n";
    s << "Layout: "
      << (layout == DatasetLayout::Aligned ? "aligned (A|B side by side)" : "two folders (A and B)") << "\n";
    size_t total = 0;
    for (const auto& [name, pairs] : splits) {
        s << "  " << (name.empty() ? "(no split folders)" : name) << ": " << pairs.size() << " pairs\n";
        total += pairs.size();
    }
    s << "Pairs: " << total << "\n";
    if (!image_sizes.empty()) {
        s << "Image sizes:";
        for (const auto& [size, count] : image_sizes) s << " " << size << " (" << count << ")";
        s << "\n";
    }
    for (const auto& note : notes) s << "Note: " << note << "\n";
    const size_t pairNotesShown = std::min<size_t>(pair_notes.size(), 20);
    for (size_t i = 0; i < pairNotesShown; ++i) s << "Note: " << pair_notes[i] << "\n";
    if (pairNotesShown < pair_notes.size())
        s << "Note: ... and " << (pair_notes.size() - pairNotesShown) << " more pair(s) changed on load\n";
    for (const auto& warning : warnings) s << "Warning: " << warning << "\n";
    if (!skipped.empty()) {
        s << "Skipped " << skipped.size() << " file(s):\n";
        const size_t shown = std::min<size_t>(skipped.size(), 20);
        for (size_t i = 0; i < shown; ++i) s << "  " << skipped[i].path << ": " << skipped[i].reason << "\n";
        if (shown < skipped.size()) s << "  ... and " << (skipped.size() - shown) << " more\n";
    }
    return s.str();
}

// ---- scan -----------------------------------------------------------------------------------------------

DatasetScan scanPairedFolder(const std::string& rootPath, const ScanProgress& progress,
                              const ScanOptions& options) {
    options.validate();
    if (rootPath.empty()) throw Error("no dataset folder given.\n" + expectedLayouts());
    const fs::path root(rootPath);
    std::error_code ec;
    const auto status = fs::status(root, ec);
    if (!fs::exists(status))
        throw Error("the dataset folder " + rootPath + " does not exist.\n" + expectedLayouts());
    if (!fs::is_directory(status))
        throw Error("the dataset path " + rootPath + " is not a folder.\n" + expectedLayouts());
    listFolder(root);  // a folder we cannot read fails here with its own message

    DatasetScan scan;
    scan.root = rootPath;
    const Layout layout = detectLayout(root);
    scan.layout = layout.layout;

    // Collect the work first so progress has a total.
    struct Candidate {
        std::string split;
        std::string a, b;
        std::string name;
    };
    std::vector<Candidate> candidates;
    int ignored = 0;
    for (const auto& unit : layout.units) {
        if (unit.b.empty()) {
            FolderFiles files = imageFiles(unit.a);
            ignored += files.ignored;
            scan.skipped.insert(scan.skipped.end(), files.unsupported.begin(), files.unsupported.end());
            for (const auto& f : files.images) candidates.push_back({unit.split, f, f, stemOf(f)});
            continue;
        }
        FolderFiles filesA = imageFiles(unit.a), filesB = imageFiles(unit.b);
        ignored += filesA.ignored + filesB.ignored;
        scan.skipped.insert(scan.skipped.end(), filesA.unsupported.begin(), filesA.unsupported.end());
        scan.skipped.insert(scan.skipped.end(), filesB.unsupported.begin(), filesB.unsupported.end());
        // Pair by base name; a name that appears twice in one folder (1.jpg and 1.png) is ambiguous.
        auto byStem = [&](const std::vector<std::string>& files) {
            std::map<std::string, std::vector<std::string>> m;
            for (const auto& f : files) m[stemOf(f)].push_back(f);
            return m;
        };
        const auto stemsA = byStem(filesA.images), stemsB = byStem(filesB.images);
        for (const auto& [stem, paths] : stemsA) {
            if (paths.size() > 1) {
                for (const auto& p : paths)
                    scan.skipped.push_back(
                        {p, "ambiguous: several files in " + unit.a.string() + " are named " + stem});
                continue;
            }
            auto it = stemsB.find(stem);
            if (it == stemsB.end()) {
                scan.skipped.push_back(
                    {paths[0], "unpaired: no file named " + stem + ".* in " + unit.b.string()});
                continue;
            }
            if (it->second.size() > 1) {
                for (const auto& p : it->second)
                    scan.skipped.push_back(
                        {p, "ambiguous: several files in " + unit.b.string() + " are named " + stem});
                continue;
            }
            candidates.push_back({unit.split, paths[0], it->second[0], stem});
        }
        for (const auto& [stem, paths] : stemsB)
            if (!stemsA.count(stem))
                for (const auto& p : paths)
                    scan.skipped.push_back(
                        {p, "unpaired: no file named " + stem + ".* in " + unit.a.string()});
    }

    std::map<std::string, int> noteCounts;
    const int total = static_cast<int>(candidates.size());
    for (int i = 0; i < total; ++i) {
        if (progress && !progress(i, total)) throw Error("cancelled");
        const Candidate& c = candidates[static_cast<size_t>(i)];
        try {
            const ImageHeader ha = readImageHeaderChecked(c.a);
            if (ha.format == ImageFormat::Gif)
                throw Error(c.a + ": GIF is not supported (convert it to PNG)");
            cv::Size pairSize = ha.size;
            std::vector<std::string> notes = headerNotes(ha);
            bool resizeB = false;
            if (layout.layout == DatasetLayout::Aligned) {
                if (ha.size.width % 2 != 0)
                    throw Error(c.a + ": odd width " + std::to_string(ha.size.width) +
                                " cannot be split into equal A|B halves");
                pairSize.width /= 2;
            } else {
                ImageHeader hb;
                try {
                    hb = readImageHeaderChecked(c.b);
                    if (hb.format == ImageFormat::Gif)
                        throw Error(c.b + ": GIF is not supported (convert it to PNG)");
                } catch (const Error& e) {
                    std::string reason = e.what();
                    if (reason.rfind(c.b + ": ", 0) == 0) reason = reason.substr(c.b.size() + 2);
                    scan.skipped.push_back({c.b, reason});
                    continue;
                }
                if (hb.size != ha.size) {
                    // Never stretched: B may only be scaled to A when both show the same frame.
                    const double arA = aspectOf(ha.size), arB = aspectOf(hb.size);
                    const std::string sizes =
                        "A is " + sizeKey(ha.size) + " but B (" + c.b + ") is " + sizeKey(hb.size);
                    if (std::abs(arA / arB - 1.0) > options.aspect_tolerance)
                        throw Error(c.a + ": " + sizes + ", and their aspect ratios differ (" + formatRatio(arA) +
                                    " vs " + formatRatio(arB) + "), so B cannot be resized to A without stretching");
                    if (!options.pair_resize)
                        throw Error(c.a + ": " + sizes + "; their aspect ratios agree within " +
                                    percent(options.aspect_tolerance) +
                                    ", so --pair-resize would resize B to A (in the training panel: \"Resize B to A\")");
                    resizeB = true;
                    scan.pair_notes.push_back(c.name + ": B resized from " + sizeKey(hb.size) + " to A's " +
                                              sizeKey(ha.size) + " (aspect ratios " + formatRatio(arA) + " and " +
                                              formatRatio(arB) + ", within " + percent(options.aspect_tolerance) +
                                              ")");
                }
                for (auto& n : headerNotes(hb)) notes.push_back(n);
            }
            if (pairSize.width < kMinPairSide || pairSize.height < kMinPairSide)
                throw Error(c.a + ": too small (" + sizeKey(pairSize) + " per image; at least " +
                            std::to_string(kMinPairSide) + "x" + std::to_string(kMinPairSide) + " needed)");
            scan.splits[c.split].push_back({c.a, c.b, c.name, resizeB});
            ++scan.image_sizes[sizeKey(ha.size)];
            std::sort(notes.begin(), notes.end());
            notes.erase(std::unique(notes.begin(), notes.end()), notes.end());
            for (const auto& n : notes) ++noteCounts[n];
        } catch (const Error& e) {
            // Header errors already start with the path; keep the reason only.
            std::string reason = e.what();
            const std::string prefix = c.a + ": ";
            if (reason.rfind(prefix, 0) == 0) reason = reason.substr(prefix.size());
            scan.skipped.push_back({c.a, reason});
        }
    }
    if (progress) progress(total, total);

    if (scan.splits.empty()) {
        // Aligned is what a folder without A/ and B/ falls back to, not something found: with no image files
        // it would be a claim about nothing.
        const bool noFiles = candidates.empty() && scan.skipped.empty();
        std::string message = "no usable image pairs in " + rootPath;
        if (!(noFiles && layout.layout == DatasetLayout::Aligned))
            message += " (layout found: " + layout.description + ")";
        if (!scan.skipped.empty()) {
            message += "; " + std::to_string(scan.skipped.size()) + " file(s) skipped, e.g. " +
                       scan.skipped.front().path + ": " + scan.skipped.front().reason;
        } else {
            message += "; the folder has no image files";
        }
        throw Error(message + ".\n" + expectedLayouts());
    }
    scan.notes.push_back("layout: " + layout.description);
    for (const auto& [note, count] : noteCounts)
        scan.notes.push_back(std::to_string(count) + " pair(s): " + note);
    if (ignored > 0) scan.notes.push_back(std::to_string(ignored) + " non-image file(s) ignored");
    if (layout.layout == DatasetLayout::Aligned) {
        const std::string warning = alignedLayoutWarning(scan);
        if (!warning.empty()) scan.warnings.push_back(warning);
    }
    return scan;
}

void ScanOptions::validate() const {
    if (!(aspect_tolerance >= 0.0 && aspect_tolerance <= 0.25))
        throw Error("the aspect ratio tolerance must be between 0 and 0.25, got " + std::to_string(aspect_tolerance));
}

std::string datasetFingerprint(const DatasetScan& scan, const std::string& split) {
    const auto& pairs = scan.split(split);
    const fs::path root(scan.root);
    uint64_t hash = 14695981039346656037ull;
    auto add = [&](const std::string& path) {
        std::error_code ec;
        const uintmax_t size = fs::file_size(path, ec);
        hash = fnv1a(hash, fs::path(path).lexically_relative(root).generic_string());
        hash = fnv1a(hash, "\n" + std::to_string(ec ? 0 : size) + "\n");
    };
    for (const auto& p : pairs) {
        add(p.a_path);
        if (p.b_path != p.a_path) add(p.b_path);
    }
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
    return std::to_string(pairs.size()) + " pairs, fnv1a " + hex;
}

std::vector<std::string> preprocessNotes(const DatasetScan& scan, const TransformOptions& options) {
    std::vector<std::string> notes;
    if (options.preprocess != Preprocess::ResizeAndCrop) return notes;
    int nonSquare = 0, total = 0;
    std::string example;
    for (const auto& [size, count] : scan.image_sizes) {
        int w = 0, h = 0;
        if (std::sscanf(size.c_str(), "%dx%d", &w, &h) != 2) continue;
        if (scan.layout == DatasetLayout::Aligned) w /= 2;
        total += count;
        if (w != h) {
            nonSquare += count;
            if (example.empty()) example = sizeKey({w, h});
        }
    }
    if (nonSquare == 0) return notes;
    const std::string load = std::to_string(options.load_size), crop = std::to_string(options.crop_size);
    notes.push_back(std::to_string(nonSquare) + " of " + std::to_string(total) + " pair(s) are not square (e.g. " +
                    example + " per image): resize_and_crop squashes them to " + load + "x" + load +
                    " before cropping " + crop + "x" + crop + ". To keep their aspect ratio, use --preprocess "
                    "scale_width_and_crop (width scaled to " + load + ", then cropped; as the reference's "
                    "scale_width, which only scales)");
    return notes;
}

// ---- enums ----------------------------------------------------------------------------------------------

std::string toString(Direction d) {
    return d == Direction::AtoB ? "AtoB" : "BtoA";
}

Direction directionFromString(const std::string& s) {
    if (s == "AtoB") return Direction::AtoB;
    if (s == "BtoA") return Direction::BtoA;
    throw Error("direction '" + s + "' is not one of AtoB, BtoA");
}

std::string toString(Preprocess p) {
    switch (p) {
        case Preprocess::ResizeAndCrop:
            return "resize_and_crop";
        case Preprocess::Crop:
            return "crop";
        case Preprocess::ScaleWidth:
            return "scale_width";
        case Preprocess::ScaleWidthAndCrop:
            return "scale_width_and_crop";
        case Preprocess::None:
            return "none";
    }
    return "none";
}

Preprocess preprocessFromString(const std::string& s) {
    for (Preprocess p : {Preprocess::ResizeAndCrop, Preprocess::Crop, Preprocess::ScaleWidth,
                         Preprocess::ScaleWidthAndCrop, Preprocess::None})
        if (toString(p) == s) return p;
    throw Error("preprocess '" + s +
                "' is not one of resize_and_crop, crop, scale_width, scale_width_and_crop, none");
}

void TransformOptions::validate() const {
    auto check = [](int v, const char* name) {
        if (v < 1 || v > kMaxImageSide)
            throw Error(std::string(name) + " must be between 1 and " + std::to_string(kMaxImageSide) +
                        ", got " + std::to_string(v));
    };
    check(load_size, "load_size");
    check(crop_size, "crop_size");
    check(size_multiple, "size_multiple");
    if ((preprocess == Preprocess::ResizeAndCrop || preprocess == Preprocess::ScaleWidthAndCrop) &&
        crop_size > load_size)
        throw Error("crop_size (" + std::to_string(crop_size) + ") must not exceed load_size (" +
                    std::to_string(load_size) + ") for preprocess " + toString(preprocess));
}

// ---- loading and transforms -----------------------------------------------------------------------------

ImagePair loadPair(const PairEntry& entry, DatasetLayout layout, Direction direction) {
    cv::Mat a, b;
    std::vector<std::string> notes;
    if (layout == DatasetLayout::Aligned) {
        LoadedImage ab = loadImage(entry.a_path);
        const int w = ab.bgr.cols / 2;  // as the reference: A = [0, w/2), B = [w/2, w)
        if (w < 1) throw Error(entry.a_path + ": too narrow to split into A|B halves");
        a = ab.bgr(cv::Rect(0, 0, w, ab.bgr.rows)).clone();
        b = ab.bgr(cv::Rect(w, 0, ab.bgr.cols - w, ab.bgr.rows)).clone();
        notes = std::move(ab.notes);
    } else {
        LoadedImage la = loadImage(entry.a_path), lb = loadImage(entry.b_path);
        a = std::move(la.bgr);
        b = std::move(lb.bgr);
        notes = std::move(la.notes);
        for (auto& n : lb.notes) notes.push_back("B: " + n);
        if (b.size() != a.size()) {
            if (!entry.resize_b)
                throw Error(entry.a_path + ": A is " + sizeKey(a.size()) + " but B (" + entry.b_path + ") is " +
                            sizeKey(b.size()));
            const bool shrinking = b.cols > a.cols;
            cv::Mat resized;
            cv::resize(b, resized, a.size(), 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_CUBIC);
            notes.push_back("B resized from " + sizeKey(b.size()) + " to " + sizeKey(a.size()));
            b = std::move(resized);
        }
    }
    ImagePair pair;
    pair.input = direction == Direction::AtoB ? a : b;
    pair.target = direction == Direction::AtoB ? b : a;
    pair.name = entry.name;
    pair.notes = std::move(notes);
    return pair;
}

namespace {

// __scale_width's output size.
cv::Size scaleWidthSize(cv::Size in, int target, int crop) {
    if (in.width == target && in.height >= crop) return in;
    const int h = static_cast<int>(
        std::max(static_cast<double>(target) * in.height / in.width, static_cast<double>(crop)));
    return {target, h};
}

cv::Mat resizeBicubic(const cv::Mat& image, cv::Size size) {
    if (image.size() == size) return image;
    cv::Mat out;
    cv::resize(image, out, size, 0, 0, cv::INTER_CUBIC);
    return out;
}

// PIL's crop: a box past the border is filled with black.
cv::Mat cropAt(const cv::Mat& image, int x, int y, int size) {
    if (image.cols <= size && image.rows <= size) return image;  // the reference crops only when larger
    const cv::Rect box(x, y, size, size);
    const cv::Rect inside = box & cv::Rect(0, 0, image.cols, image.rows);
    if (inside == box) return image(box).clone();
    cv::Mat out(size, size, image.type(), cv::Scalar::all(0));
    if (inside.area() > 0)
        image(inside).copyTo(out(cv::Rect(inside.x - x, inside.y - y, inside.width, inside.height)));
    return out;
}

int roundToMultiple(int value, int multiple) {
    // Python's round() (half to even), as the reference's __make_power_2; never below one multiple.
    const double r = std::nearbyint(static_cast<double>(value) / multiple);
    return std::max(1, static_cast<int>(r)) * multiple;
}

}  // namespace

TransformParams drawTransformParams(const TransformOptions& options, cv::Size size, uint64_t seed) {
    // The reference's get_params: the crop position is drawn in the resized image's frame.
    int newW = size.width, newH = size.height;
    if (options.preprocess == Preprocess::ResizeAndCrop) {
        newW = newH = options.load_size;
    } else if (options.preprocess == Preprocess::ScaleWidthAndCrop) {
        newW = options.load_size;
        newH =
            static_cast<int>(static_cast<int64_t>(options.load_size) * size.height / std::max(1, size.width));
    }
    std::mt19937_64 rng(seed);
    TransformParams params;
    params.crop_x = static_cast<int>(
        detail::uniformBelow(rng, static_cast<uint64_t>(std::max(0, newW - options.crop_size)) + 1));
    params.crop_y = static_cast<int>(
        detail::uniformBelow(rng, static_cast<uint64_t>(std::max(0, newH - options.crop_size)) + 1));
    params.flip = options.flip && (rng() >> 63) != 0;
    return params;
}

cv::Mat applyTransform(const cv::Mat& image, const TransformOptions& options, const TransformParams& params,
                       std::string* note) {
    if (image.empty()) throw Error("cannot transform an empty image");
    if (image.type() != CV_8UC3) throw Error("applyTransform expects a BGR CV_8UC3 image");
    cv::Mat out = image;
    switch (options.preprocess) {
        case Preprocess::ResizeAndCrop:
            out = resizeBicubic(out, {options.load_size, options.load_size});
            out = cropAt(out, params.crop_x, params.crop_y, options.crop_size);
            break;
        case Preprocess::Crop:
            out = cropAt(out, params.crop_x, params.crop_y, options.crop_size);
            break;
        case Preprocess::ScaleWidth:
            out = resizeBicubic(out, scaleWidthSize(out.size(), options.load_size, options.crop_size));
            break;
        case Preprocess::ScaleWidthAndCrop:
            out = resizeBicubic(out, scaleWidthSize(out.size(), options.load_size, options.crop_size));
            out = cropAt(out, params.crop_x, params.crop_y, options.crop_size);
            break;
        case Preprocess::None: {
            const cv::Size target(roundToMultiple(out.cols, options.size_multiple),
                                  roundToMultiple(out.rows, options.size_multiple));
            if (target != out.size()) {
                if (note)
                    *note = "resized " + sizeKey(out.size()) + " to " + sizeKey(target) + " (a multiple of " +
                            std::to_string(options.size_multiple) + ", bicubic)";
                out = resizeBicubic(out, target);
            } else if (note) {
                *note = "kept " + sizeKey(out.size()) + " (already a multiple of " +
                        std::to_string(options.size_multiple) + ")";
            }
            break;
        }
    }
    if (options.flip && params.flip) {
        cv::Mat flipped;
        cv::flip(out, flipped, 1);
        out = flipped;
    }
    if (out.data == image.data) out = out.clone();  // never hand back the caller's buffer
    return out;
}

}  // namespace p2p
