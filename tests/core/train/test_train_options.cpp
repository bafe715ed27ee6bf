// TrainOptions: validation names the field, JSON round trip refuses unknown keys, and the learning-rate
// rule is the reference's LambdaLR stepped at the end of each epoch.

#include <QtTest/QtTest>

#include <functional>

#include "core/common/error.h"
#include "core/train/train_options.h"

using p2p::Device;
using p2p::TrainOptions;
using Mutation = std::function<void(TrainOptions&)>;
Q_DECLARE_METATYPE(Mutation)
Q_DECLARE_METATYPE(p2p::Device)

namespace {

TrainOptions validOptions() {
    TrainOptions o;
    o.dataroot = "/data/facades";
    o.run_dir = "/runs/facades";
    return o;
}

}  // namespace

class TestTrainOptions : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void defaultsAreTheReferences() {
        const TrainOptions o;
        QCOMPARE(o.netG, std::string("unet_256"));
        QCOMPARE(o.ngf, 64);
        QCOMPARE(o.ndf, 64);
        QCOMPARE(o.lr, 0.0002);
        QCOMPARE(o.beta1, 0.5);
        QCOMPARE(o.lambda_L1, 100.0);
        QCOMPARE(o.load_size, 286);
        QCOMPARE(o.crop_size, 256);
        QCOMPARE(o.n_epochs, 100);
        QCOMPARE(o.n_epochs_decay, 100);
        QCOMPARE(o.gan_mode, std::string("vanilla"));
        QCOMPARE(o.norm, std::string("batch"));
        QVERIFY(o.precision == p2p::TrainPrecision::Auto);
        QVERIFY(o.upsample == p2p::Upsample::Transposed);
        QVERIFY(o.generatorOptions() == p2p::GeneratorOptions{});
        validOptions().validate();  // does not throw
    }

    void validateNamesTheField_data() {
        QTest::addColumn<QString>("field");
        QTest::addColumn<Mutation>("mutate");
        auto row = [](const char* name, const char* field, Mutation m) {
            QTest::newRow(name) << QString(field) << m;
        };
        row("dataroot empty", "dataroot", [](TrainOptions& o) { o.dataroot.clear(); });
        row("run_dir empty", "run_dir", [](TrainOptions& o) { o.run_dir.clear(); });
        row("direction", "direction", [](TrainOptions& o) { o.direction = "AtoC"; });
        row("preprocess", "preprocess", [](TrainOptions& o) { o.preprocess = "zoom"; });
        row("load_size 0", "load_size", [](TrainOptions& o) { o.load_size = 0; });
        row("crop_size 0", "crop_size", [](TrainOptions& o) { o.crop_size = 0; });
        row("crop > load", "crop_size", [](TrainOptions& o) { o.crop_size = 512; });
        row("crop not multiple", "crop_size", [](TrainOptions& o) { o.crop_size = 200; });
        row("batch_size", "batch_size", [](TrainOptions& o) { o.batch_size = 0; });
        row("num_threads", "num_threads", [](TrainOptions& o) { o.num_threads = -1; });
        row("netG", "netG", [](TrainOptions& o) { o.netG = "resnet_9blocks"; });
        row("netD", "netD", [](TrainOptions& o) { o.netD = "huge"; });
        row("n_layers_D", "n_layers_D", [](TrainOptions& o) { o.n_layers_D = 0; });
        row("ngf", "ngf", [](TrainOptions& o) { o.ngf = 0; });
        row("ndf", "ndf", [](TrainOptions& o) { o.ndf = 10000; });
        row("norm", "norm", [](TrainOptions& o) { o.norm = "group"; });
        row("init_gain", "init_gain", [](TrainOptions& o) { o.init_gain = 0; });
        row("init_gain nan", "init_gain", [](TrainOptions& o) { o.init_gain = std::nan(""); });
        row("gan_mode", "gan_mode", [](TrainOptions& o) { o.gan_mode = "wgangp"; });
        row("lambda_L1", "lambda_L1", [](TrainOptions& o) { o.lambda_L1 = -1; });
        row("lr", "lr", [](TrainOptions& o) { o.lr = 0; });
        row("lr inf", "lr", [](TrainOptions& o) { o.lr = INFINITY; });
        row("beta1", "beta1", [](TrainOptions& o) { o.beta1 = 1.0; });
        row("n_epochs", "n_epochs", [](TrainOptions& o) { o.n_epochs = -1; });
        row("n_epochs_decay", "n_epochs_decay", [](TrainOptions& o) { o.n_epochs_decay = -3; });
        row("no epochs", "n_epochs", [](TrainOptions& o) { o.n_epochs = o.n_epochs_decay = 0; });
        row("compute_threads", "compute_threads", [](TrainOptions& o) { o.compute_threads = -1; });
        row("precision fp16 on cpu", "precision", [](TrainOptions& o) {
            o.device = p2p::Device::cpu();
            o.precision = p2p::TrainPrecision::FP16;
        });
        row("precision fp16 on cuda", "precision", [](TrainOptions& o) {
            o.device = p2p::Device::cuda();
            o.precision = p2p::TrainPrecision::FP16;
        });
        row("save_epoch_freq", "save_epoch_freq", [](TrainOptions& o) { o.save_epoch_freq = -1; });
        row("save_latest_freq", "save_latest_freq", [](TrainOptions& o) { o.save_latest_freq = -1; });
        row("sample_freq", "sample_freq", [](TrainOptions& o) { o.sample_freq = -1; });
        row("log_freq", "log_freq", [](TrainOptions& o) { o.log_freq = 0; });
    }
    void validateNamesTheField() {
        QFETCH(QString, field);
        QFETCH(Mutation, mutate);
        TrainOptions o = validOptions();
        mutate(o);
        try {
            o.validate();
            QFAIL("validate() accepted a bad value");
        } catch (const p2p::Error& e) {
            const QString message = QString::fromStdString(e.what());
            QVERIFY2(message.contains(field), qPrintable(message));
        }
    }

    void acceptsValidVariants() {
        TrainOptions o = validOptions();
        o.netG = "unet_128";
        o.load_size = 142;
        o.crop_size = 128;
        o.device = p2p::Device::cuda(1);
        o.gan_mode = "lsgan";
        o.norm = "instance";
        o.preprocess = "none";
        o.n_epochs = 0;
        o.n_epochs_decay = 1;
        o.validate();
        QCOMPARE(o.generatorOptions().sizeMultiple(), 128);
        QCOMPARE(o.transformOptions().size_multiple, 128);
        QCOMPARE(o.discriminatorOptions().input_nc, 6);
    }

    void jsonRoundTrip() {
        TrainOptions o = validOptions();
        o.direction = "BtoA";
        o.preprocess = "crop";
        o.load_size = 300;
        o.crop_size = 128;
        o.no_flip = true;
        o.batch_size = 4;
        o.num_threads = 3;
        o.netG = "unet_128";
        o.netD = "n_layers";
        o.n_layers_D = 4;
        o.ngf = 32;
        o.ndf = 16;
        o.norm = "instance";
        o.dropout = false;
        o.upsample = p2p::Upsample::Resize;
        o.init_gain = 0.03;
        o.gan_mode = "lsgan";
        o.lambda_L1 = 10.5;
        o.lr = 1e-3;
        o.beta1 = 0.9;
        o.n_epochs = 7;
        o.n_epochs_decay = 9;
        o.seed = 18446744073709551557ULL;
        o.device = p2p::Device::cpu();
        o.fast_path = true;
        o.precision = p2p::TrainPrecision::BF16;
        o.compute_threads = 3;
        o.save_epoch_freq = 2;
        o.save_latest_freq = 77;
        o.sample_freq = 0;
        o.log_freq = 3;
        const auto j = o.toJson();
        const TrainOptions back = TrainOptions::fromJson(nlohmann::json::parse(j.dump()));
        QCOMPARE(back.toJson().dump(), j.dump());
        QCOMPARE(back.seed, o.seed);
        QCOMPARE(back.lambda_L1, o.lambda_L1);
        QCOMPARE(back.dropout, false);
        QCOMPARE(back.compute_threads, 3);
        QCOMPARE(back.fast_path, true);
        QVERIFY(back.precision == p2p::TrainPrecision::BF16);
        QCOMPARE(j.at("precision").get<std::string>(), std::string("bf16"));
        QVERIFY(back.upsample == p2p::Upsample::Resize);
        QCOMPARE(j.at("upsample").get<std::string>(), std::string("resize"));
        QVERIFY(back.generatorOptions().upsample == p2p::Upsample::Resize);
    }

    // Only a resize run writes "upsample": the options of reference-shaped runs stay what binaries that
    // predate the key read (their fromJson refuses unknown keys).
    void upsampleIsWrittenOnlyWhenNotTheReferences() {
        TrainOptions o = validOptions();
        QVERIFY(!o.toJson().contains("upsample"));
        QVERIFY(TrainOptions::fromJson(o.toJson()).upsample == p2p::Upsample::Transposed);
        auto j = o.toJson();
        j["upsample"] = "transposed";  // written by hand: accepted
        QVERIFY(TrainOptions::fromJson(j).upsample == p2p::Upsample::Transposed);
        j["upsample"] = "pixel_shuffle";
        try {
            TrainOptions::fromJson(j);
            QFAIL("an unknown upsample was accepted");
        } catch (const p2p::Error& e) {
            QVERIFY2(QString(e.what()).contains("upsample") && QString(e.what()).contains("pixel_shuffle"), e.what());
        }
    }

    void jsonMissingKeysKeepDefaults() {
        const TrainOptions back = TrainOptions::fromJson(nlohmann::json{{"ngf", 16}});
        QCOMPARE(back.ngf, 16);
        QCOMPARE(back.lr, TrainOptions().lr);
        // Except precision: options written before it existed belong to runs that computed in fp32.
        QVERIFY(back.precision == p2p::TrainPrecision::FP32);
    }

    void precisionNames() {
        using p2p::TrainPrecision;
        for (auto p :
             {TrainPrecision::Auto, TrainPrecision::FP32, TrainPrecision::BF16, TrainPrecision::FP16})
            QVERIFY(p2p::trainPrecisionFromString(p2p::toString(p)) == p);
        QVERIFY_THROWS_EXCEPTION(p2p::Error, p2p::trainPrecisionFromString("half"));
        nlohmann::json j = validOptions().toJson();
        j["precision"] = "int8";
        try {
            TrainOptions::fromJson(j);
            QFAIL("fromJson accepted an unknown precision");
        } catch (const p2p::Error& e) {
            QVERIFY2(QString(e.what()).contains("precision"), e.what());
        }
    }

    // auto is bf16 only on a CPU with bf16 instructions; explicit choices are kept.
    void precisionAutoResolves() {
        using p2p::resolvePrecision;
        using p2p::TrainPrecision;
        QVERIFY(resolvePrecision(TrainPrecision::Auto, Device::cpu(), true) == TrainPrecision::BF16);
        QVERIFY(resolvePrecision(TrainPrecision::Auto, Device::cpu(), false) == TrainPrecision::FP32);
        QVERIFY(resolvePrecision(TrainPrecision::Auto, Device::cuda(), true) == TrainPrecision::FP32);
        QVERIFY(resolvePrecision(TrainPrecision::BF16, Device::cpu(), false) == TrainPrecision::BF16);
        QVERIFY(resolvePrecision(TrainPrecision::FP32, Device::cpu(), true) == TrainPrecision::FP32);
    }

    void numericsSayWhetherTheFastPathComputes_data() {
        QTest::addColumn<Device>("device");
        QTest::addColumn<int>("precision");
        QTest::addColumn<bool>("fastPath");
        QTest::addColumn<bool>("active");
        QTest::addColumn<QString>("shown");
        using P = p2p::TrainPrecision;
        QTest::newRow("cpu fp32") << Device::cpu() << int(P::FP32) << true << true << "fast_path on, precision fp32";
        QTest::newRow("cpu bf16") << Device::cpu() << int(P::BF16) << true << true << "fast_path on, precision bf16";
        QTest::newRow("asked off") << Device::cpu() << int(P::FP32) << false << false << "fast_path off, precision";
        QTest::newRow("cpu fp64") << Device::cpu() << int(P::FP64) << true << false
                                  << "fast_path off (fp64 runs eager), precision fp64";
        QTest::newRow("cuda") << Device::cuda() << int(P::FP32) << true << false << "fast_path off (CUDA)";
    }

    void numericsSayWhetherTheFastPathComputes() {
        QFETCH(Device, device);
        QFETCH(int, precision);
        QFETCH(bool, fastPath);
        QFETCH(bool, active);
        QFETCH(QString, shown);
        TrainOptions o = validOptions();
        o.device = device;
        o.precision = static_cast<p2p::TrainPrecision>(precision);
        o.fast_path = fastPath;
        o.compute_threads = 2;
        o.seed = 7;
        QCOMPARE(o.fastPathActive(), active);
        const QString text = QString::fromStdString(o.describeNumerics());
        QVERIFY2(text.contains(shown), qPrintable(text));
        QVERIFY2(text.startsWith("compute_threads 2, device " + QString::fromStdString(device.str())), qPrintable(text));
        QVERIFY2(text.endsWith("seed 7"), qPrintable(text));
    }

    void jsonRefusesUnknownKeys() {
        auto j = validOptions().toJson();
        j["learning_rate"] = 0.1;
        QVERIFY_EXCEPTION_THROWN(TrainOptions::fromJson(j), p2p::Error);
        try {
            TrainOptions::fromJson(j);
        } catch (const p2p::Error& e) {
            QVERIFY(QString(e.what()).contains("learning_rate"));
        }
    }

    void jsonRefusesWrongTypes_data() {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");
        QTest::newRow("string for int") << "ngf"
                                        << "\"64\"";
        QTest::newRow("float for int") << "batch_size"
                                       << "1.5";
        QTest::newRow("int for bool") << "no_flip"
                                      << "1";
        QTest::newRow("number for string") << "netG"
                                           << "256";
        QTest::newRow("negative seed") << "seed"
                                       << "-1";
        QTest::newRow("int overflow") << "load_size"
                                      << "4294967296";
        QTest::newRow("string for double") << "lr"
                                           << "\"fast\"";
        QTest::newRow("number for upsample") << "upsample"
                                             << "2";
    }
    void jsonRefusesWrongTypes() {
        QFETCH(QString, key);
        QFETCH(QString, value);
        nlohmann::json j = nlohmann::json::object();
        j[key.toStdString()] = nlohmann::json::parse(value.toStdString());
        try {
            TrainOptions::fromJson(j);
            QFAIL("fromJson accepted a value of the wrong type");
        } catch (const p2p::Error& e) {
            QVERIFY2(QString(e.what()).contains(key), e.what());
        }
        QVERIFY_EXCEPTION_THROWN(TrainOptions::fromJson(nlohmann::json::array()), p2p::Error);
    }

    // lambda_rule(e) = 1 - max(0, e + 1 - n_epochs) / (n_epochs_decay + 1), stepped at each epoch's end,
    // so the 0-based epoch e trains with lr * lambda_rule(e).
    void learningRateSchedule_data() {
        QTest::addColumn<int>("nEpochs");
        QTest::addColumn<int>("nDecay");
        QTest::addColumn<int>("epoch");
        QTest::addColumn<double>("factor");
        QTest::newRow("100+100 first") << 100 << 100 << 0 << 1.0;
        QTest::newRow("100+100 last constant") << 100 << 100 << 99 << 1.0;
        QTest::newRow("100+100 first decay") << 100 << 100 << 100 << 100.0 / 101.0;
        QTest::newRow("100+100 last") << 100 << 100 << 199 << 1.0 / 101.0;
        QTest::newRow("2+3 e1") << 2 << 3 << 1 << 1.0;
        QTest::newRow("2+3 e2") << 2 << 3 << 2 << 0.75;
        QTest::newRow("2+3 e3") << 2 << 3 << 3 << 0.5;
        QTest::newRow("2+3 e4") << 2 << 3 << 4 << 0.25;
        QTest::newRow("no decay") << 5 << 0 << 4 << 1.0;
        QTest::newRow("decay only e0") << 0 << 3 << 0 << 0.75;
    }
    void learningRateSchedule() {
        QFETCH(int, nEpochs);
        QFETCH(int, nDecay);
        QFETCH(int, epoch);
        QFETCH(double, factor);
        TrainOptions o;
        o.lr = 0.0002;
        o.n_epochs = nEpochs;
        o.n_epochs_decay = nDecay;
        QCOMPARE(o.learningRateAt(epoch), 0.0002 * factor);
    }

    void learningRateNeverReachesZeroWithinTheRun() {
        TrainOptions o;
        o.n_epochs = 3;
        o.n_epochs_decay = 4;
        double previous = o.learningRateAt(0);
        for (int e = 1; e < o.totalEpochs(); ++e) {
            const double lr = o.learningRateAt(e);
            QVERIFY(lr <= previous);
            QVERIFY(lr > 0);
            previous = lr;
        }
    }
};

QTEST_GUILESS_MAIN(TestTrainOptions)
#include "test_train_options.moc"
