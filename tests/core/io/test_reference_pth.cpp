// The reference .pth reader: parity with the reference networks (../shared/fixtures), hand-built
// checkpoints for every storage dtype and view, and malformed files that must give clear errors.

#include <QtTest/QtTest>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/io/model_io.h"
#include "core/io/pickle_reader.h"
#include "core/io/reference_pth.h"
#include "core/io/zip_reader.h"
#include "tests/support/test_support.h"

using namespace p2p;
namespace fs = std::filesystem;

Q_DECLARE_METATYPE(p2p::Norm)

namespace {

// ---- writing pickles and zips by hand, the way torch.save does

class PickleWriter {
public:
    explicit PickleWriter(int protocol) : protocol_(protocol) {}

    PickleWriter& op(uint8_t code) {
        body_ += char(code);
        return *this;
    }
    PickleWriter& raw(const std::string& bytes) {
        body_ += bytes;
        return *this;
    }
    PickleWriter& le(uint64_t value, int bytes) {
        for (int i = 0; i < bytes; ++i) body_ += char((value >> (8 * i)) & 0xFF);
        return *this;
    }
    PickleWriter& str(const std::string& s) {
        if (protocol_ >= 4 && s.size() < 256) return op(0x8c).le(s.size(), 1).raw(s);
        return op('X').le(s.size(), 4).raw(s);
    }
    PickleWriter& integer(int64_t v) {
        if (v >= 0 && v < 256) return op('K').le(uint64_t(v), 1);
        if (v >= 0 && v < 65536) return op('M').le(uint64_t(v), 2);
        if (v >= INT32_MIN && v <= INT32_MAX) return op('J').le(uint64_t(uint32_t(int32_t(v))), 4);
        return op(0x8a).le(8, 1).le(uint64_t(v), 8);
    }
    PickleWriter& global(const std::string& module, const std::string& name) {
        if (protocol_ >= 4) return str(module).str(name).op(0x93);
        return op('c').raw(module + "\n" + name + "\n");
    }
    size_t memo() {
        const size_t index = memoCount_++;
        if (protocol_ >= 4)
            op(0x94);
        else if (index < 256)
            op('q').le(index, 1);
        else
            op('r').le(index, 4);
        return index;
    }
    PickleWriter& get(size_t index) { return index < 256 ? op('h').le(index, 1) : op('j').le(index, 4); }
    PickleWriter& mark() { return op('('); }
    PickleWriter& tuple() { return op('t'); }
    PickleWriter& intTuple(const std::vector<int64_t>& values) {
        mark();
        for (int64_t v : values) integer(v);
        return tuple();
    }

    std::string finish() {
        op('.');
        std::string out;
        out += char(0x80);
        out += char(protocol_);
        if (protocol_ >= 4) {
            out += char(0x95);
            for (int i = 0; i < 8; ++i) out += char((uint64_t(body_.size()) >> (8 * i)) & 0xFF);
        }
        return out + body_;
    }

private:
    int protocol_;
    std::string body_;
    size_t memoCount_ = 0;
};

struct TensorSpec {
    std::string key;
    std::string storageType;  // "FloatStorage", ...
    std::string storageKey;
    int64_t storageNumel;
    int64_t offset;
    std::vector<int64_t> sizes;
    std::vector<int64_t> strides;
};

// An OrderedDict of _rebuild_tensor_v2 calls with persistent ids, and the _metadata that BUILD sets.
std::string statePickle(const std::vector<TensorSpec>& tensors, int protocol = 2) {
    PickleWriter w(protocol);
    w.global("collections", "OrderedDict");
    const size_t orderedDict = w.memo();
    w.op(')').op('R');
    w.memo();
    w.mark();
    std::optional<size_t> rebuild;
    for (const auto& t : tensors) {
        w.str(t.key);
        if (rebuild) {
            w.get(*rebuild);
        } else {
            w.global("torch._utils", "_rebuild_tensor_v2");
            rebuild = w.memo();
        }
        w.mark();
        w.mark()
            .str("storage")
            .global("torch", t.storageType)
            .str(t.storageKey)
            .str("cpu")
            .integer(t.storageNumel);
        w.tuple().op('Q');
        w.integer(t.offset).intTuple(t.sizes).intTuple(t.strides);
        w.op(0x89).get(orderedDict).op(')').op('R');
        w.tuple().op('R');
    }
    w.op('u');
    // state: {'_metadata': OrderedDict([('', {'version': 1})])}
    w.op('}').str("_metadata").get(orderedDict).op(')').op('R');
    w.mark().str("").op('}').str("version").integer(1).op('s').op('u');
    w.op('s').op('b');
    return w.finish();
}

struct ZipStyle {
    bool zip64 = true;        // ZIP64 end records (PyTorch always writes them)
    bool zip64Extra = false;  // sizes and offsets only in ZIP64 extra fields
    uint16_t method = 0;
};

std::string le(uint64_t value, int bytes) {
    std::string s;
    for (int i = 0; i < bytes; ++i) s += char((value >> (8 * i)) & 0xFF);
    return s;
}

std::string buildZip(const std::vector<std::pair<std::string, std::string>>& entries, ZipStyle style = {}) {
    std::string out, central;
    for (const auto& [name, data] : entries) {
        const uint64_t offset = out.size();
        const uint32_t crc = crc32(data.data(), data.size());
        const std::string extra =
            style.zip64Extra ? le(1, 2) + le(24, 2) + le(data.size(), 8) + le(data.size(), 8) + le(offset, 8)
                             : "";
        const uint64_t size32 = style.zip64Extra ? 0xFFFFFFFF : data.size();
        out += le(0x04034b50, 4) + le(45, 2) + le(0, 2) + le(style.method, 2) + le(0, 4) + le(crc, 4) +
               le(size32, 4) + le(size32, 4) + le(name.size(), 2) + le(extra.size(), 2) + name + extra + data;
        central += le(0x02014b50, 4) + le(45, 2) + le(45, 2) + le(0, 2) + le(style.method, 2) + le(0, 4) +
                   le(crc, 4) + le(size32, 4) + le(size32, 4) + le(name.size(), 2) + le(extra.size(), 2) +
                   le(0, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(style.zip64Extra ? 0xFFFFFFFF : offset, 4) +
                   name + extra;
    }
    const uint64_t centralOffset = out.size();
    out += central;
    const uint64_t zip64End = out.size();
    if (style.zip64) {
        out += le(0x06064b50, 4) + le(44, 8) + le(45, 2) + le(45, 2) + le(0, 4) + le(0, 4) +
               le(entries.size(), 8) + le(entries.size(), 8) + le(central.size(), 8) + le(centralOffset, 8);
        out += le(0x07064b50, 4) + le(0, 4) + le(zip64End, 8) + le(1, 4);
    }
    out += le(0x06054b50, 4) + le(0, 2) + le(0, 2) + le(entries.size(), 2) + le(entries.size(), 2) +
           le(central.size(), 4) + le(centralOffset, 4) + le(0, 2);
    return out;
}

std::string bytesOf(const torch::Tensor& t) {
    const auto c = t.contiguous();
    return std::string(static_cast<const char*>(c.data_ptr()), size_t(c.numel() * c.element_size()));
}

std::string storageType(torch::Dtype dtype) {
    if (dtype == torch::kFloat32) return "FloatStorage";
    if (dtype == torch::kFloat16) return "HalfStorage";
    if (dtype == torch::kBFloat16) return "BFloat16Storage";
    if (dtype == torch::kFloat64) return "DoubleStorage";
    if (dtype == torch::kInt64) return "LongStorage";
    if (dtype == torch::kInt32) return "IntStorage";
    throw std::runtime_error("no storage type");
}

// A whole network saved as torch.save(net.state_dict()) would: one storage per tensor.
std::string networkAsPth(const torch::nn::Module& module, const std::string& keyPrefix = "", int protocol = 2,
                         const StateDict& extra = {}) {
    std::vector<TensorSpec> specs;
    std::vector<std::pair<std::string, std::string>> entries;
    StateDict dict = stateDictOf(module);
    dict.insert(dict.end(), extra.begin(), extra.end());
    std::vector<std::pair<std::string, std::string>> storages;
    for (size_t i = 0; i < dict.size(); ++i) {
        const auto& [key, value] = dict[i];
        const std::vector<int64_t> sizes = value.sizes().vec();
        const std::vector<int64_t> strides = value.contiguous().strides().vec();
        specs.push_back({keyPrefix + key, storageType(value.scalar_type()), std::to_string(i), value.numel(),
                         0, sizes, strides});
        storages.emplace_back("archive/data/" + std::to_string(i), bytesOf(value));
    }
    entries.emplace_back("archive/data.pkl", statePickle(specs, protocol));
    entries.insert(entries.end(), storages.begin(), storages.end());
    entries.emplace_back("archive/version", "3\n");
    return buildZip(entries);
}

// fp16 + int64 + a float32 view with an offset and a transposing stride, a storage shared by two tensors,
// and bf16 / float64 / int32.
struct HandBuilt {
    std::string zip;
    std::map<std::string, torch::Tensor> expected;
};

HandBuilt handBuiltCheckpoint(int protocol, ZipStyle style) {
    HandBuilt h;
    const auto halfs = torch::tensor({1.5, -2.25, 65504.0, 0.0009765625}, torch::kFloat16);
    const auto longs = torch::tensor({int64_t(7), int64_t(-1), int64_t(1) << 40}, torch::kInt64);
    const auto floats = torch::arange(12, torch::kFloat32) * 0.5f;
    const auto bf16 = torch::tensor({0.5, -3.0}, torch::kBFloat16);
    const auto doubles = torch::tensor({3.141592653589793, -1e300}, torch::kFloat64);
    const auto ints = torch::tensor({-5, 123456789}, torch::kInt32);
    std::vector<TensorSpec> specs = {
        {"half.weight", "HalfStorage", "0", 4, 0, {2, 2}, {2, 1}},
        {"bn.num_batches_tracked", "LongStorage", "1", 3, 2, {}, {}},     // a 0-d tensor at offset 2
        {"view.transposed", "FloatStorage", "2", 12, 1, {3, 2}, {1, 3}},  // [[1,4],[2,5],[3,6]] of arange
        {"view.tail", "FloatStorage", "2", 12, 8, {4}, {1}},              // shares storage 2
        {"bf16", "BFloat16Storage", "3", 2, 0, {2}, {1}},
        {"double", "DoubleStorage", "4", 2, 0, {2}, {1}},
        {"int", "IntStorage", "5", 2, 0, {1, 2}, {2, 1}},
        {"empty", "FloatStorage", "6", 0, 0, {0, 3}, {3, 1}},
    };
    h.expected["half.weight"] = halfs.view({2, 2});
    h.expected["bn.num_batches_tracked"] = longs[2];
    h.expected["view.transposed"] = floats.as_strided({3, 2}, {1, 3}, 1);
    h.expected["view.tail"] = floats.slice(0, 8, 12);
    h.expected["bf16"] = bf16;
    h.expected["double"] = doubles;
    h.expected["int"] = ints.view({1, 2});
    h.expected["empty"] = torch::empty({0, 3});
    h.zip = buildZip({{"latest_net_G/data.pkl", statePickle(specs, protocol)},
                      {"latest_net_G/byteorder", "little"},
                      {"latest_net_G/data/0", bytesOf(halfs)},
                      {"latest_net_G/data/1", bytesOf(longs)},
                      {"latest_net_G/data/2", bytesOf(floats)},
                      {"latest_net_G/data/3", bytesOf(bf16)},
                      {"latest_net_G/data/4", bytesOf(doubles)},
                      {"latest_net_G/data/5", bytesOf(ints)},
                      {"latest_net_G/data/6", ""},
                      {"latest_net_G/version", "3\n"}},
                     style);
    return h;
}

// The smallest valid checkpoint, for the malformed cases to start from.
std::string onePickle(const TensorSpec& spec, int protocol = 2) {
    return statePickle({spec}, protocol);
}
const TensorSpec kFour = {"w", "FloatStorage", "0", 4, 0, {2, 2}, {2, 1}};
std::string withPickle(const std::string& pickle, const std::string& storage = std::string(16, '\0')) {
    return buildZip({{"archive/data.pkl", pickle}, {"archive/data/0", storage}, {"archive/version", "3\n"}});
}

void writeFile(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), std::streamsize(bytes.size()));
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string expectError(const std::string& bytes, const std::string& what = "case.pth") {
    try {
        readTorchStateDictFromBuffer(bytes, what);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

class TestReferencePth : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // ---- parity with the reference networks

    void fixtureParity_data() {
        QTest::addColumn<QString>("folder");
        const auto fixtures = test::sharedPath("fixtures");
        if (!fixtures) {
            QTest::newRow("no fixtures") << QString();
            return;
        }
        std::vector<std::string> folders;
        for (const auto& entry : fs::directory_iterator(*fixtures))
            if (fs::exists(entry.path() / "meta.json")) folders.push_back(entry.path().string());
        std::sort(folders.begin(), folders.end());
        for (const auto& folder : folders)
            QTest::newRow(fs::path(folder).filename().string().c_str()) << QString::fromStdString(folder);
    }
    void fixtureParity() {
        P2P_REQUIRE_SHARED(fixtures, "fixtures");
        QFETCH(QString, folder);
        const fs::path dir = folder.toStdString();
        nlohmann::json meta;
        std::ifstream(dir / "meta.json") >> meta;
        const std::string pth = (dir / meta["weights"]["file"].get<std::string>()).string();
        QVERIFY(isTorchZipCheckpoint(pth));

        // The state dict as PyTorch listed it: keys in order, shapes, dtypes.
        const StateDict dict = readTorchStateDict(pth);
        const auto& tensors = meta["weights"]["tensors"];
        QCOMPARE(dict.size(), tensors.size());
        for (size_t i = 0; i < dict.size(); ++i) {
            QCOMPARE(dict[i].first, tensors[i]["key"].get<std::string>());
            QCOMPARE(dict[i].second.sizes().vec(), tensors[i]["shape"].get<std::vector<int64_t>>());
            const std::string dtype = tensors[i]["dtype"];
            QVERIFY(dict[i].second.scalar_type() == (dtype == "int64" ? torch::kInt64 : torch::kFloat32));
        }

        const auto& args = meta["constructor_args"];
        const auto input = test::readRawFloat32((dir / "input.bin").string(),
                                                meta["input"]["shape"].get<std::vector<int64_t>>());
        const auto expected = test::readRawFloat32((dir / "output.bin").string(),
                                                   meta["output"]["shape"].get<std::vector<int64_t>>());
        const bool train = meta["mode"] == "train";
        torch::NoGradGuard noGrad;
        torch::Tensor output;
        if (meta["network"] == "generator") {
            const auto inferred = inferGeneratorOptions(dict);
            QVERIFY(inferred);
            QCOMPARE(inferred->netG, args["netG"].get<std::string>());
            QCOMPARE(inferred->ngf, args["ngf"].get<int>());
            QCOMPARE(p2p::toString(inferred->norm), args["norm"].get<std::string>());
            QCOMPARE(inferred->input_nc, args["input_nc"].get<int>());
            QCOMPARE(inferred->output_nc, args["output_nc"].get<int>());
            QVERIFY(inferred->dropout);  // no trace in the file: the reference default

            const ModelInfo info = inspectModel(pth);
            QCOMPARE(info.format, std::string("reference-pth"));
            QCOMPARE(info.generator_parameters, meta["parameter_count"].get<int64_t>());
            QCOMPARE(info.name, dir.filename().string());

            ModelLoadOptions options;
            options.generator_override = *inferred;
            options.generator_override->dropout = args["use_dropout"].get<bool>();
            LoadedModel model = loadModel(pth, options);
            QVERIFY(model.info.architecture_inferred);
            QCOMPARE(parameterCount(*model.generator), meta["parameter_count"].get<int64_t>());
            int dropouts = 0;
            for (const auto& m : model.generator->modules())
                dropouts += m->as<torch::nn::DropoutImpl>() != nullptr;
            QCOMPARE(dropouts, meta["layer_counts"]["Dropout"].get<int>());
            if (train)
                model.generator->train();  // BatchNorm normalises with the batch's own statistics
            else
                model.generator->eval();
            output = model.generator->forward(input);
        } else {
            const auto inferred = inferDiscriminatorOptions(dict);
            QVERIFY(inferred);
            QCOMPARE(inferred->netD, args["netD"].get<std::string>());
            QCOMPARE(inferred->effectiveLayers(), args["n_layers_D"].get<int>());
            QCOMPARE(inferred->ndf, args["ndf"].get<int>());
            QCOMPARE(p2p::toString(inferred->norm), args["norm"].get<std::string>());
            QCOMPARE(inferred->input_nc, args["input_nc"].get<int>());
            QVERIFY(!inferGeneratorOptions(dict));
            PatchDiscriminator d(*inferred);
            loadStateDict(*d, dict, pth);
            QCOMPARE(parameterCount(*d), meta["parameter_count"].get<int64_t>());
            if (train)
                d->train();
            else
                d->eval();
            output = d->forward(input);
        }
        QCOMPARE(output.sizes().vec(), expected.sizes().vec());
        const double diff = test::maxAbsDiff(output, expected);
        qDebug("%s: max |ours - reference| = %.3g (output max |y| = %.3g)", dir.filename().c_str(), diff,
               expected.abs().max().item<double>());
        QVERIFY2(diff <= 1e-4, qPrintable(QString("max abs diff %1").arg(diff)));
    }

    // latest_net_G.pth with latest_net_D.pth beside it, as the reference trainer leaves them.
    void fixtureSiblingDiscriminator() {
        P2P_REQUIRE_SHARED(g, "fixtures/g_unet256_ngf8_batch_eval/net_G.pth");
        P2P_REQUIRE_SHARED(d, "fixtures/d_basic_ndf16_batch_eval/net_D.pth");
        QTemporaryDir tmp;
        const std::string gPath = tmp.filePath("latest_net_G.pth").toStdString();
        fs::copy_file(g, gPath);
        fs::copy_file(d, tmp.filePath("latest_net_D.pth").toStdString());
        LoadedModel model = loadModel(gPath);
        QVERIFY(model.discriminator);
        QCOMPARE(model.info.discriminator->ndf, 16);
        QCOMPARE(model.info.metadata["discriminator_file"].get<std::string>(),
                 tmp.filePath("latest_net_D.pth").toStdString());

        nlohmann::json meta;
        std::ifstream(fs::path(d).parent_path() / "meta.json") >> meta;
        const auto input =
            test::readRawFloat32((fs::path(d).parent_path() / "input.bin").string(), {1, 6, 256, 256});
        const auto expected =
            test::readRawFloat32((fs::path(d).parent_path() / "output.bin").string(), {1, 1, 30, 30});
        torch::NoGradGuard noGrad;
        model.discriminator->eval();
        QVERIFY(test::maxAbsDiff(model.discriminator->forward(input), expected) <= 1e-4);

        ModelLoadOptions noD;
        noD.load_discriminator = false;
        QVERIFY(!loadModel(gPath, noD).discriminator);
        QVERIFY(!inspectModel(gPath, noD).discriminator);
        QVERIFY(inspectModel(gPath).discriminator);
    }

    void discriminatorFileIsNotAGenerator() {
        P2P_REQUIRE_SHARED(d, "fixtures/d_basic_ndf16_batch_eval/net_D.pth");
        try {
            loadModel(d);
            QFAIL("a discriminator loaded as a generator");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("discriminator checkpoint"), e.what());
        }
        const auto summary = summarizeReferenceCheckpoint(d);
        QCOMPARE(summary.kind, std::string("discriminator"));
        QCOMPARE(summary.parameters, int64_t(176081));
    }

    // ---- hand-built checkpoints (no shared data needed)

    void crc32CheckValue() {
        QCOMPARE(crc32("123456789", 9), uint32_t(0xCBF43926));
        QCOMPARE(crc32("", 0), uint32_t(0));
        const std::string text = "The quick brown fox jumps over the lazy dog";
        QCOMPARE(crc32(text.data(), text.size()), uint32_t(0x414FA339));
        QCOMPARE(crc32(text.data() + 10, text.size() - 10, crc32(text.data(), 10)), uint32_t(0x414FA339));
    }

    void dtypesOffsetsAndStrides_data() {
        QTest::addColumn<int>("protocol");
        QTest::addColumn<bool>("zip64");
        QTest::addColumn<bool>("zip64Extra");
        QTest::newRow("protocol 2, ZIP64 end (as torch.save)") << 2 << true << false;
        QTest::newRow("protocol 2, plain zip") << 2 << false << false;
        QTest::newRow("protocol 4 (frames, memoize, stack_global)") << 4 << true << false;
        QTest::newRow("ZIP64 extra fields") << 2 << true << true;
    }
    void dtypesOffsetsAndStrides() {
        QFETCH(int, protocol);
        QFETCH(bool, zip64);
        QFETCH(bool, zip64Extra);
        ZipStyle style;
        style.zip64 = zip64;
        style.zip64Extra = zip64Extra;
        const HandBuilt h = handBuiltCheckpoint(protocol, style);
        if (const char* corpus = std::getenv("P2P_WRITE_FUZZ_CORPUS"))
            writeFile((fs::path(corpus) / ("handbuilt_p" + std::to_string(protocol) + (zip64 ? "_z64" : "") +
                                           (zip64Extra ? "_extra" : "") + ".pth"))
                          .string(),
                      h.zip);
        const StateDict dict = readTorchStateDictFromBuffer(h.zip, "hand-built");
        QCOMPARE(dict.size(), h.expected.size());
        const std::vector<std::string> order = {
            "half.weight", "bn.num_batches_tracked", "view.transposed", "view.tail", "bf16", "double", "int",
            "empty"};
        for (size_t i = 0; i < dict.size(); ++i) {
            const auto& [key, value] = dict[i];
            QCOMPARE(key, order[i]);
            const auto& want = h.expected.at(key);
            QVERIFY2(value.scalar_type() == want.scalar_type(), key.c_str());
            QCOMPARE(value.sizes().vec(), want.sizes().vec());
            QVERIFY2(torch::equal(value, want), key.c_str());
        }
        QCOMPARE(dict[2].second.flatten()[1].item<float>(), 2.0f);  // [0][1] = storage[1 + 3] = 4 * 0.5
        QCOMPARE(dict[1].second.item<int64_t>(), int64_t(1) << 40);

        TorchReadOptions shapes;
        shapes.shapes_only = true;
        const StateDict meta = readTorchStateDictFromBuffer(h.zip, "hand-built", shapes);
        QCOMPARE(meta.size(), dict.size());
        QVERIFY(meta[0].second.is_meta());
        QCOMPARE(meta[2].second.sizes().vec(), (std::vector<int64_t>{3, 2}));
    }

    void malformedInputsGiveClearErrors_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("message");
        auto row = [](const char* name, const std::string& bytes, const char* message) {
            QTest::newRow(name) << QByteArray(bytes.data(), int(bytes.size())) << QString(message);
        };
        const std::string good = withPickle(onePickle(kFour));
        row("empty", "", "too short");
        row("random bytes", std::string(3000, '\x5a'), "no end-of-central-directory");
        row("truncated zip", good.substr(0, good.size() / 2), "no end-of-central-directory");
        const std::string pickle = onePickle(kFour);
        row("truncated pickle", withPickle(pickle.substr(0, pickle.size() - 1)), "the pickle is truncated");
        row("truncated inside a string", withPickle(pickle.substr(0, pickle.find("storage") + 3)),
            "runs past the end");
        row("bad opcode", withPickle(std::string("\x80\x02\xff.", 4)), "unsupported pickle opcode 0xff");
        {
            PickleWriter w(2);
            w.global("os", "system").str("echo hi").op(0x85).op('R');
            row("forbidden os.system", withPickle(w.finish()), "forbidden global 'os.system'");
        }
        {
            PickleWriter w(4);
            w.global("builtins", "eval").str("1").op(0x85).op('R');
            row("forbidden builtins.eval (stack global)", withPickle(w.finish()),
                "forbidden global 'builtins.eval'");
        }
        {
            PickleWriter w(2);
            w.global("torch", "UntypedStorage");
            row("forbidden torch global", withPickle(w.finish()), "forbidden global 'torch.UntypedStorage'");
        }
        row("zip without data.pkl", buildZip({{"archive/weights.bin", "1234"}}), "without a data.pkl");
        row("unsupported protocol", withPickle(std::string("\x80\x07}.", 4)),
            "unsupported pickle protocol 7");
        row("memo out of range", withPickle(std::string("\x80\x02h\x07.", 5)),
            "memo index 7 was never stored");
        row("stack underflow", withPickle(std::string("\x80\x02\x86.", 4)), "stack underflow");
        row("mark missing", withPickle(std::string("\x80\x02}K\x01K\x02u.", 9)), "MARK");
        row("not a dict", withPickle(std::string("\x80\x02].", 4)), "not a state dict");
        row("non-tensor value", withPickle(std::string("\x80\x02}X\x01\x00\x00\x00kK\x05s.", 13)),
            "entry 'k' is a int, not a tensor");
        row("reduce args not a tuple",
            withPickle(std::string("\x80\x02"
                                   "ccollections\nOrderedDict\nK\x01R.",
                                   31)),
            "REDUCE arguments must be a tuple");
        row("storage too small for size",
            withPickle(onePickle({"w", "FloatStorage", "0", 4, 0, {3, 3}, {3, 1}})),
            "more elements (9) than the storage (4)");
        row("offset past storage", withPickle(onePickle({"w", "FloatStorage", "0", 4, 3, {2}, {1}})),
            "reaches past the end of the storage");
        row("stride past storage", withPickle(onePickle({"w", "FloatStorage", "0", 4, 0, {2, 2}, {3, 1}})),
            "reaches past the end of the storage");
        row("absurd sizes",
            withPickle(
                onePickle({"w", "FloatStorage", "0", 4, 0, {int64_t(1) << 40, int64_t(1) << 40}, {0, 0}})),
            "impossible number of elements");
        row("absurd storage size",
            withPickle(onePickle({"w", "FloatStorage", "0", int64_t(1) << 62, 0, {1}, {1}})),
            "impossible size");
        row("size/stride rank mismatch", withPickle(onePickle({"w", "FloatStorage", "0", 4, 0, {2, 2}, {1}})),
            "different lengths");
        row("storage entry too short", withPickle(onePickle(kFour), std::string(8, '\0')),
            "holds 8 bytes where tensor 'w' needs 16");
        row("storage entry missing", buildZip({{"archive/data.pkl", onePickle(kFour)}}), "which is missing");
        {
            ZipStyle deflate;
            deflate.method = 8;
            row("compressed entry", buildZip({{"archive/data.pkl", onePickle(kFour)}}, deflate),
                "compressed");
        }
        {
            std::string corrupt = good;
            corrupt[corrupt.find("archive/data/0") + 14] ^= 0x01;  // first data byte of the storage
            row("checksum mismatch", corrupt, "CRC-32 mismatch");
        }
        row("TorchScript archive",
            buildZip({{"archive/data.pkl", onePickle(kFour)},
                      {"archive/constants.pkl", "x"},
                      {"archive/data/0", std::string(16, 0)}}),
            "TorchScript");
        row("big-endian storages",
            buildZip({{"archive/data.pkl", onePickle(kFour)},
                      {"archive/byteorder", "big"},
                      {"archive/data/0", std::string(16, 0)}}),
            "byte order");
        {
            std::string lying = good;  // the end record claims 65535 entries in a tiny directory
            const size_t end = lying.rfind(std::string("PK\x05\x06", 4));
            lying[end + 10] = lying[end + 11] = '\xff';
            lying.replace(lying.rfind(std::string("PK\x06\x07", 4)), 4,
                          "XXXX");  // and drop the ZIP64 locator
            row("ZIP64 values without a ZIP64 record", lying, "ZIP64 end record is missing");
        }
        {
            ZipStyle plain;
            plain.zip64 = false;
            std::string lying = buildZip({{"archive/data.pkl", onePickle(kFour)}}, plain);
            lying[lying.size() - 12] = '\x88';  // 5000 entries in a one-entry directory
            lying[lying.size() - 11] = '\x13';
            row("entry count does not fit", lying, "does not fit");
        }
        row("self-referencing list",
            withPickle(std::string("\x80\x02]q\x00h\x00"
                                   "a.",
                                   9)),
            "not a state dict");
        row("marks nested too deep", withPickle("\x80\x02" + std::string(5000, '(') + "."),
            "implausibly deep");
    }
    void malformedInputsGiveClearErrors() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, message);
        if (const char* corpus = std::getenv("P2P_WRITE_FUZZ_CORPUS"); corpus && bytes.size() < 4096) {
            QString name = QTest::currentDataTag();
            name.replace(QRegularExpression("[^A-Za-z0-9]+"), "_");
            writeFile((fs::path(corpus) / ("malformed_" + name.toStdString() + ".pth")).string(),
                      bytes.toStdString());
        }
        const std::string error = expectError(bytes.toStdString());
        QVERIFY2(!error.empty(), "malformed input was accepted");
        QVERIFY2(QString::fromStdString(error).startsWith("case.pth"), error.c_str());
        QVERIFY2(QString::fromStdString(error).contains(message), error.c_str());
    }

    void detectionIsByContent() {
        QTemporaryDir tmp;
        const std::string pth = tmp.filePath("weights.bin").toStdString();  // no .pth extension needed
        writeFile(pth, handBuiltCheckpoint(2, {}).zip);
        QVERIFY(isTorchZipCheckpoint(pth));
        QCOMPARE(readTorchStateDict(pth).size(), size_t(8));

        UnetGenerator g(test::tinyGeneratorOptions("unet_128"));
        const std::string ours = tmp.filePath("ours.p2pm").toStdString();
        saveModel(ours, g, PatchDiscriminator{nullptr}, {});
        QVERIFY(!isTorchZipCheckpoint(ours));
        QVERIFY(startsLikeZip(readFile(ours).substr(0, 4)));  // it is a zip, just not a state dict
        try {
            readTorchStateDict(ours);
            QFAIL("a .p2pm was read as a state dict");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("TorchScript"), e.what());
        }
        const std::string renamed = tmp.filePath("ours.pth").toStdString();  // the extension is not trusted
        fs::copy_file(ours, renamed);
        QVERIFY(!isTorchZipCheckpoint(renamed));
        QCOMPARE(loadModel(renamed).info.format, std::string("p2pm"));

        const std::string random = tmp.filePath("random.pth").toStdString();
        writeFile(random, std::string(5000, '\x42'));
        QVERIFY(!isTorchZipCheckpoint(random));
        const std::string other = tmp.filePath("other.pth").toStdString();
        writeFile(other, buildZip({{"folder/readme.txt", "hello"}}));
        QVERIFY(!isTorchZipCheckpoint(other));
        QVERIFY(!isTorchZipCheckpoint(tmp.filePath("missing.pth").toStdString()));
        QVERIFY(!isTorchZipCheckpoint(tmp.path().toStdString()));
    }

    // ---- inference and loading, with networks saved the way the reference saves them

    void inferGenerator_data() {
        QTest::addColumn<QString>("netG");
        QTest::addColumn<int>("ngf");
        QTest::addColumn<p2p::Norm>("norm");
        QTest::addColumn<int>("inputNc");
        QTest::addColumn<int>("outputNc");
        QTest::newRow("unet_256 batch") << "unet_256" << 8 << Norm::Batch << 3 << 3;
        QTest::newRow("unet_128 batch") << "unet_128" << 8 << Norm::Batch << 3 << 3;
        QTest::newRow("unet_256 instance") << "unet_256" << 4 << Norm::Instance << 1 << 3;
        QTest::newRow("unet_128 none") << "unet_128" << 6 << Norm::None << 3 << 2;
    }
    void inferGenerator() {
        QFETCH(QString, netG);
        QFETCH(int, ngf);
        QFETCH(p2p::Norm, norm);
        QFETCH(int, inputNc);
        QFETCH(int, outputNc);
        GeneratorOptions o;
        o.netG = netG.toStdString();
        o.ngf = ngf;
        o.norm = norm;
        o.input_nc = inputNc;
        o.output_nc = outputNc;
        UnetGenerator g(o);
        const auto inferred = inferGeneratorOptions(stateDictOf(*g));
        QVERIFY(inferred);
        QVERIFY2(*inferred == o, inferred->describe().c_str());
        QVERIFY(!inferDiscriminatorOptions(stateDictOf(*g)));
    }

    void inferDiscriminator_data() {
        QTest::addColumn<QString>("netD");
        QTest::addColumn<int>("layers");
        QTest::addColumn<p2p::Norm>("norm");
        QTest::addColumn<int>("inputNc");
        QTest::newRow("basic batch") << "basic" << 3 << Norm::Batch << 6;
        QTest::newRow("n_layers 1 instance") << "n_layers" << 1 << Norm::Instance << 6;
        QTest::newRow("n_layers 5 none") << "n_layers" << 5 << Norm::None << 4;
        QTest::newRow("pixel batch") << "pixel" << 3 << Norm::Batch << 6;
        QTest::newRow("pixel instance") << "pixel" << 3 << Norm::Instance << 3;
    }
    void inferDiscriminator() {
        QFETCH(QString, netD);
        QFETCH(int, layers);
        QFETCH(p2p::Norm, norm);
        QFETCH(int, inputNc);
        DiscriminatorOptions o;
        o.netD = netD.toStdString();
        o.n_layers = layers;
        o.ndf = 8;
        o.norm = norm;
        o.input_nc = inputNc;
        PatchDiscriminator d(o);
        const auto inferred = inferDiscriminatorOptions(stateDictOf(*d));
        QVERIFY(inferred);
        QVERIFY2(*inferred == o, inferred->describe().c_str());
        QVERIFY(!inferGeneratorOptions(stateDictOf(*d)));
    }

    void loadsWhatTheReferenceWrites_data() {
        QTest::addColumn<QString>("keyPrefix");
        QTest::addColumn<int>("protocol");
        QTest::newRow("plain, protocol 2") << "" << 2;
        QTest::newRow("DataParallel module. prefix") << "module." << 2;
        QTest::newRow("protocol 4") << "" << 4;
    }
    void loadsWhatTheReferenceWrites() {
        QFETCH(QString, keyPrefix);
        QFETCH(int, protocol);
        torch::manual_seed(5);
        UnetGenerator g(test::tinyGeneratorOptions("unet_128"));
        initWeights(*g);
        DiscriminatorOptions dOptions;
        dOptions.ndf = 8;
        PatchDiscriminator d(dOptions);
        initWeights(*d);
        {
            torch::NoGradGuard noGrad;  // non-trivial running statistics
            g->train();
            g->forward(torch::randn({2, 3, 128, 128}));
        }
        QTemporaryDir tmp;
        QVERIFY(QDir(tmp.path()).mkpath("facades_pix2pix"));
        const std::string folder = tmp.filePath("facades_pix2pix").toStdString();
        const std::string gPath = folder + "/latest_net_G.pth";
        writeFile(gPath, networkAsPth(*g, keyPrefix.toStdString(), protocol));
        writeFile(folder + "/latest_net_D.pth", networkAsPth(*d, keyPrefix.toStdString(), protocol));

        const ModelInfo info = inspectModel(gPath);
        QCOMPARE(info.name, std::string("facades_pix2pix"));
        QCOMPARE(info.format, std::string("reference-pth"));
        QVERIFY(info.architecture_inferred);
        QVERIFY(info.generator == g->options());
        QCOMPARE(info.generator_parameters, parameterCount(*g));
        QVERIFY(info.discriminator && *info.discriminator == dOptions);
        QVERIFY(QString::fromStdString(info.describe()).contains("reference PyTorch state dict"));

        LoadedModel model = loadModel(gPath);
        QVERIFY(model.discriminator);
        g->eval();
        model.generator->eval();
        d->eval();
        model.discriminator->eval();
        torch::NoGradGuard noGrad;
        const auto x = torch::randn({1, 3, 128, 128});
        QCOMPARE(test::maxAbsDiff(g->forward(x), model.generator->forward(x)), 0.0);
        const auto xy = torch::randn({1, 6, 64, 64});
        QCOMPARE(test::maxAbsDiff(d->forward(xy), model.discriminator->forward(xy)), 0.0);
    }

    // PyTorch < 0.4 saved running statistics for InstanceNorm; the reference drops them when loading.
    void oldInstanceNormStatisticsAreDropped() {
        UnetGenerator g(test::tinyGeneratorOptions("unet_128", Norm::Instance));
        StateDict extra;
        for (const char* layer : {"model.model.1.model.2", "model.model.1.model.6"}) {
            extra.emplace_back(std::string(layer) + ".running_mean", torch::zeros({16}));
            extra.emplace_back(std::string(layer) + ".running_var", torch::ones({16}));
            extra.emplace_back(std::string(layer) + ".num_batches_tracked", torch::tensor(int64_t(3)));
        }
        QTemporaryDir tmp;
        const std::string path = tmp.filePath("old_net_G.pth").toStdString();
        writeFile(path, networkAsPth(*g, "", 2, extra));
        QCOMPARE(readTorchStateDict(path).size(), stateDictOf(*g).size() + 6);
        LoadedModel model = loadModel(path);
        QVERIFY(model.info.generator.norm == Norm::Instance);

        StateDict withBn = stateDictOf(*UnetGenerator(test::tinyGeneratorOptions("unet_128", Norm::Batch)));
        const size_t before = withBn.size();
        normalizeReferenceStateDict(withBn);
        QCOMPARE(withBn.size(), before);  // BatchNorm statistics stay
    }

    void overridesAndUninferrableFiles() {
        QTemporaryDir tmp;
        UnetGenerator g(test::tinyGeneratorOptions("unet_128"));
        const std::string path = tmp.filePath("latest_net_G.pth").toStdString();
        writeFile(path, networkAsPth(*g));

        // Dropout leaves no trace: the default is on, an override turns it off.
        const LoadedModel defaults = loadModel(path);
        QVERIFY(defaults.info.generator.dropout);
        QVERIFY(defaults.info.metadata["dropout_source"].get<std::string>().find("assumed") == 0);
        ModelLoadOptions noDropout;
        noDropout.generator_override = g->options();
        noDropout.generator_override->dropout = false;
        LoadedModel model = loadModel(path, noDropout);
        QVERIFY(!model.info.generator.dropout);
        QVERIFY(model.info.architecture_inferred);

        // A wrong override is refused with the shape conflicts, and nothing is half-loaded.
        ModelLoadOptions wrong;
        wrong.generator_override = test::tinyGeneratorOptions("unet_128");
        wrong.generator_override->ngf = 16;
        try {
            loadModel(path, wrong);
            QFAIL("a wrong override was loaded");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("shape conflicts"), e.what());
            QVERIFY2(QString(e.what()).contains("nothing was loaded"), e.what());
        }
        QVERIFY(!inspectModel(path, wrong).architecture_inferred);

        // Keys that are no U-Net: the message says which flags to pass.
        const std::string odd = tmp.filePath("odd.pth").toStdString();
        writeFile(odd, withPickle(onePickle(kFour)));
        try {
            loadModel(odd);
            QFAIL("an uninferrable file was loaded");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("--netG"), e.what());
            QVERIFY2(QString(e.what()).contains("odd.pth"), e.what());
        }
        ModelLoadOptions flags;
        flags.generator_override = test::tinyGeneratorOptions("unet_128");
        try {
            loadModel(odd, flags);
            QFAIL("a file without the generator's keys was loaded");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("missing keys"), e.what());
            QVERIFY2(QString(e.what()).contains("unexpected keys"), e.what());
        }
    }

    void badSiblingDiscriminatorIsAWarning() {
        QTemporaryDir tmp;
        UnetGenerator g(test::tinyGeneratorOptions("unet_128"));
        const std::string path = tmp.filePath("latest_net_G.pth").toStdString();
        writeFile(path, networkAsPth(*g));
        writeFile(tmp.filePath("latest_net_D.pth").toStdString(), "not a checkpoint");
        LoadedModel model = loadModel(path);
        QVERIFY(!model.discriminator);
        QVERIFY(!model.info.discriminator);
        QCOMPARE(model.info.metadata["warnings"].size(), size_t(1));
        QVERIFY(inspectModel(path).metadata.contains("warnings"));

        // A D with NaN weights: still only a warning; once repaired, it loads.
        DiscriminatorOptions dOptions;
        dOptions.ndf = 8;
        PatchDiscriminator d(dOptions);
        const std::string dPath = tmp.filePath("latest_net_D.pth").toStdString();
        {
            torch::NoGradGuard noGrad;
            d->named_parameters()["model.0.bias"].fill_(std::numeric_limits<float>::quiet_NaN());
            writeFile(dPath, networkAsPth(*d));
            const LoadedModel withBadD = loadModel(path);
            QVERIFY(!withBadD.discriminator);
            QVERIFY(withBadD.info.metadata["warnings"][0].get<std::string>().find("NaN") !=
                    std::string::npos);
            d->named_parameters()["model.0.bias"].zero_();
            writeFile(dPath, networkAsPth(*d));
        }
        QVERIFY(loadModel(path).discriminator);
        QCOMPARE(referenceDiscriminatorPath(path), dPath);
        QCOMPARE(referenceDiscriminatorPath("/x/net_G.pth"), std::string("/x/net_D.pth"));
        QCOMPARE(referenceDiscriminatorPath("/x/model.pth"), std::string());
        QCOMPARE(referenceDiscriminatorPath("/x/mynet_G.pth"), std::string());
    }

    void trainOptionsBesideTheCheckpoint() {
        QTemporaryDir tmp;
        UnetGenerator g(test::tinyGeneratorOptions("unet_128"));
        const std::string path = tmp.filePath("latest_net_G.pth").toStdString();
        writeFile(path, networkAsPth(*g));
        writeFile(tmp.filePath("train_opt.txt").toStdString(),
                  "----------------- Options ---------------\n"
                  "               batch_size: 1                             \n"
                  "                direction: BtoA                          \t[default: AtoB]\n"
                  "               no_dropout: True                          \t[default: False]\n"
                  "                     name: facades_label2photo           \t[default: experiment_name]\n"
                  "----------------- End -------------------\n");
        const ModelInfo info = inspectModel(path);
        QCOMPARE(info.direction, std::string("BtoA"));
        QVERIFY(!info.generator.dropout);
        QCOMPARE(info.metadata["dropout_source"].get<std::string>(), std::string("train_opt.txt"));
        QCOMPARE(info.metadata["train_opt"]["name"].get<std::string>(), std::string("facades_label2photo"));
        QVERIFY(!loadModel(path).info.generator.dropout);
    }
};

QTEST_GUILESS_MAIN(TestReferencePth)
#include "test_reference_pth.moc"
