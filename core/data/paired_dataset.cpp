#include "core/data/paired_dataset.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>
#include <set>
#include <sstream>

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

}  // namespace

// ---- DatasetScan ----------------------------------------------------------------------------------------

const std::vector<PairEntry>& DatasetScan::split(const std::string& name) const {
    auto it = splits.find(name);
    if (it == splits.end()) {
        std::string found;
        for (const auto& [key, pairs] : splits)
            found += (found.empty() ? "" : ", ") + (key.empty() ? "(unsplit)" : key);
        throw Error("the dataset " + root + " has no split '" + name + "' (found: " + found + ")");
    }
    return it->second;
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
    if (!skipped.empty()) {
        s << "Skipped " << skipped.size() << " file(s):\n";
        const size_t shown = std::min<size_t>(skipped.size(), 20);
        for (size_t i = 0; i < shown; ++i) s << "  " << skipped[i].path << ": " << skipped[i].reason << "\n";
        if (shown < skipped.size()) s << "  ... and " << (skipped.size() - shown) << " more\n";
    }
    return s.str();
}

// ---- scan -----------------------------------------------------------------------------------------------

DatasetScan scanPairedFolder(const std::string& rootPath, const ScanProgress& progress) {
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
            const ImageHeader ha = readImageHeader(c.a);
            if (ha.format == ImageFormat::Gif)
                throw Error(c.a + ": GIF is not supported (convert it to PNG)");
            cv::Size pairSize = ha.size;
            std::vector<std::string> notes = headerNotes(ha);
            if (layout.layout == DatasetLayout::Aligned) {
                if (ha.size.width % 2 != 0)
                    throw Error(c.a + ": odd width " + std::to_string(ha.size.width) +
                                " cannot be split into equal A|B halves");
                pairSize.width /= 2;
            } else {
                ImageHeader hb;
                try {
                    hb = readImageHeader(c.b);
                    if (hb.format == ImageFormat::Gif)
                        throw Error(c.b + ": GIF is not supported (convert it to PNG)");
                } catch (const Error& e) {
                    std::string reason = e.what();
                    if (reason.rfind(c.b + ": ", 0) == 0) reason = reason.substr(c.b.size() + 2);
                    scan.skipped.push_back({c.b, reason});
                    continue;
                }
                if (hb.size != ha.size)
                    throw Error(c.a + ": A is " + sizeKey(ha.size) + " but B (" + c.b + ") is " +
                                sizeKey(hb.size));
                for (auto& n : headerNotes(hb)) notes.push_back(n);
            }
            if (pairSize.width < kMinPairSide || pairSize.height < kMinPairSide)
                throw Error(c.a + ": too small (" + sizeKey(pairSize) + " per image; at least " +
                            std::to_string(kMinPairSide) + "x" + std::to_string(kMinPairSide) + " needed)");
            scan.splits[c.split].push_back({c.a, c.b, c.name});
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
        std::string message =
            "no usable image pairs in " + rootPath + " (layout found: " + layout.description + ")";
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
    return scan;
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
