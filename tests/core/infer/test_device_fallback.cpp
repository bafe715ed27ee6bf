// The CUDA paths of inference, as far as a machine without a GPU can run them: the engine's device errors,
// the fp16-vs-fp32 decision at load (fed two tensors), and the move to the CPU when the device fails
// mid-translation (a c10::Error thrown by a test hook, as LibTorch throws a CUDA error). The rows that need a
// GPU skip here and run in tools/gpu-check.sh.

#include <QtTest/QtTest>

#include <opencv2/imgproc.hpp>

#include "core/common/error.h"
#include "core/common/runtime.h"
#include "core/infer/inference_engine.h"
#include "core/infer/precision_check.h"
#include "core/io/model_io.h"
#include "tests/support/image_checks.h"
#include "tests/support/test_support.h"

using namespace p2p;

namespace {

cv::Mat testImage(int width, int height) {
    cv::Mat image(height, width, CV_8UC3);
    cv::RNG rng(5);
    rng.fill(image, cv::RNG::UNIFORM, 0, 256);
    cv::GaussianBlur(image, image, cv::Size(9, 9), 3);
    return image;
}

// What LibTorch throws when a kernel launch fails on the GPU.
void throwCudaError() {
    TORCH_CHECK(false, "CUDA error: an illegal memory access was encountered");
}

void throwOutOfMemory() {
    TORCH_CHECK_WITH(OutOfMemoryError, false, "CUDA out of memory. Tried to allocate 2.00 GiB");
}

// A hook that throws `fault` once, when armed, and records the devices it saw.
struct Fault {
    bool armed = false;
    int thrown = 0;
    std::vector<std::string> devices;
    std::function<void()> fault = throwCudaError;
    std::function<void(const Device&)> hook() {
        return [this](const Device& device) {
            devices.push_back(device.str());
            if (armed) {
                armed = false;
                ++thrown;
                fault();
            }
        };
    }
};

}  // namespace

class TestDeviceFallback : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::string modelPath_;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        torch::manual_seed(3);
        UnetGenerator g(test::tinyGeneratorOptions("unet_128", Norm::Batch));
        initWeights(*g);
        modelPath_ = dir_.filePath("tiny.p2pm").toStdString();
        saveModel(modelPath_, g, PatchDiscriminator(nullptr), SaveModelOptions{});
    }

    // fp16 (CUDA) and bf16 (CPU) are judged the same way: the candidate's output against fp32's.
    void precisionDecision_data() {
        QTest::addColumn<double>("offset");      // added to every value
        QTest::addColumn<double>("spike");       // added to one value
        QTest::addColumn<bool>("nonFinite");     // one value made Inf
        QTest::addColumn<bool>("requested");     // precision fp16 asked for by name
        QTest::addColumn<QString>("precision");  // what the engine runs
        QTest::addColumn<QString>("says");
        QTest::newRow("identical") << 0.0 << 0.0 << false << false << "fp16"
                                   << "max |fp16 - fp32| 0,";
        QTest::newRow("within") << 0.004 << 0.05 << false << false << "fp16"
                                << "limits 0.1, 0.01";
        QTest::newRow("max over") << 0.0 << 0.5 << false << false << "fp32"
                                  << "fp16 was over the limits";
        QTest::newRow("mean over") << 0.02 << 0.0 << false << false << "fp32"
                                   << "fp16 was over the limits";
        QTest::newRow("overflow") << 0.0 << 0.0 << true << false << "fp32"
                                  << "NaN or Inf";
        QTest::newRow("over but requested") << 0.02 << 0.0 << false << true << "fp16"
                                            << "over the limits but requested";
    }
    void precisionDecision() {
        QFETCH(double, offset);
        QFETCH(double, spike);
        QFETCH(bool, nonFinite);
        QFETCH(bool, requested);
        QFETCH(QString, precision);
        QFETCH(QString, says);
        torch::manual_seed(1);
        const auto fp32 = torch::rand({1, 3, 16, 16}) * 1.6 - 0.8;
        auto candidate = fp32 + offset;
        candidate.view(-1)[7] += spike;
        if (nonFinite) candidate.view(-1)[3] = std::numeric_limits<float>::infinity();
        const PrecisionCheck check = compareWithFp32("fp16", fp32, candidate, 0.1, 0.01);
        QCOMPARE(check.finite, !nonFinite);
        QVERIFY(std::isfinite(check.max_abs_error) && std::isfinite(check.mean_abs_error));
        const PrecisionChoice choice = choosePrecision(check, requested);
        QCOMPARE(QString::fromStdString(choice.precision), precision);
        QCOMPARE(choice.use_candidate, precision == "fp16");
        QVERIFY2(QString::fromStdString(choice.report).contains(says), choice.report.c_str());
    }

    // Rounding to fp16 itself (10 bits of mantissa) is far within the limits; fp16's range is not.
    void fp16RoundingIsWithinItsRangeIsNot() {
        torch::manual_seed(2);
        const auto fp32 = torch::rand({1, 3, 32, 32}) * 2 - 1;
        const auto rounded = compareWithFp32("fp16", fp32, fp32.to(torch::kHalf), 0.1, 0.01);
        QVERIFY(rounded.within());
        QVERIFY(rounded.max_abs_error > 0 && rounded.max_abs_error <= 1.0 / 1024);
        const auto overflowed = compareWithFp32("fp16", fp32 * 1e5, (fp32 * 1e5).to(torch::kHalf), 1e9, 1e9);
        QVERIFY(!overflowed.finite);
        QVERIFY(!overflowed.within());
        QVERIFY_THROWS_EXCEPTION(p2p::Error, compareWithFp32("fp16", fp32, fp32.narrow(3, 0, 8), 0.1, 0.01));
    }

    void whatCanFallBack_data() {
        QTest::addColumn<QString>("device");
        QTest::addColumn<QString>("precision");
        QTest::addColumn<bool>("can");
        QTest::newRow("cuda fp16") << "cuda"
                                   << "fp16" << true;
        QTest::newRow("cuda fp32") << "cuda"
                                   << "fp32" << true;
        QTest::newRow("cuda:1 fp32") << "cuda:1"
                                     << "fp32" << true;
        QTest::newRow("cpu bf16") << "cpu"
                                  << "bf16" << true;
        QTest::newRow("cpu fp32: nothing safer") << "cpu"
                                                 << "fp32" << false;
    }
    void whatCanFallBack() {
        QFETCH(QString, device);
        QFETCH(QString, precision);
        QFETCH(bool, can);
        QCOMPARE(canFallBackToCpu(Device::parse(device.toStdString()), precision.toStdString()), can);
    }

    // The engine's own device errors, before any model: asked-for CUDA without a GPU, fp16 on the CPU.
    void deviceErrors() {
        if (!cudaAvailable()) {
            EngineOptions cuda;
            cuda.device = Device::cuda();
            try {
                InferenceEngine engine(cuda);
                QFAIL("an engine was made on CUDA without a GPU");
            } catch (const p2p::Error& e) {
                QVERIFY2(QString::fromUtf8(e.what()).contains("no CUDA"), e.what());
            }
            cuda.device = Device::cuda(2);
            QVERIFY_THROWS_EXCEPTION(p2p::Error, InferenceEngine{cuda});
        }
        EngineOptions fp16;
        fp16.device = Device::cpu();
        fp16.precision = "fp16";
        try {
            InferenceEngine engine(fp16);
            QFAIL("fp16 accepted on the CPU");
        } catch (const p2p::Error& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains("fp16 needs CUDA"), e.what());
        }
        EngineOptions tolerance;
        tolerance.fp16_mean_abs_error = 0;
        try {
            tolerance.validate();
            QFAIL("a zero fp16 tolerance was accepted");
        } catch (const p2p::Error& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains("fp16 tolerances"), e.what());
        }
    }

    // A failure mid-translation moves the engine to the CPU at fp32; the picture still comes, as fp32's.
    // Here the engine starts on the CPU in bf16 (the only thing a CPU can fall back from); with a GPU the
    // same rows start on CUDA.
    void failureMidTranslationFallsBackToCpu_data() {
        QTest::addColumn<bool>("outOfMemory");
        QTest::addColumn<bool>("onGpu");
        QTest::newRow("CUDA error") << false << false;
        QTest::newRow("out of memory") << true << false;
        QTest::newRow("CUDA error on a GPU") << false << true;
        QTest::newRow("out of memory on a GPU") << true << true;
    }
    void failureMidTranslationFallsBackToCpu() {
        QFETCH(bool, outOfMemory);
        QFETCH(bool, onGpu);
        if (onGpu && !cudaAvailable()) QSKIP("no CUDA GPU here (tools/gpu-check.sh runs this row)");
        Fault fault;
        if (outOfMemory) fault.fault = throwOutOfMemory;
        EngineOptions o;
        o.device = onGpu ? Device::cuda() : Device::cpu();
        o.precision = onGpu ? "fp16" : "bf16";
        o.fault_for_testing = fault.hook();
        InferenceEngine engine(o);
        engine.load(modelPath_);
        QVERIFY(engine.fallbackReason().empty());
        const std::string before = engine.device().str();

        EngineOptions cpu;
        cpu.device = Device::cpu();
        cpu.precision = "fp32";
        InferenceEngine reference(cpu);
        reference.load(modelPath_);

        const cv::Mat image = testImage(150, 100);
        fault.armed = true;
        const cv::Mat out = engine.translate(image);
        QCOMPARE(fault.thrown, 1);
        QCOMPARE(fault.devices.back(), std::string("cpu"));  // the retry ran on the CPU
        QVERIFY(engine.device().isCpu());
        QCOMPARE(QString::fromStdString(engine.precision()), QStringLiteral("fp32"));
        const QString reason = QString::fromStdString(engine.fallbackReason());
        QVERIFY2(reason.contains(QString::fromStdString(before)) &&
                     reason.contains(QString::fromStdString(o.precision)),
                 qPrintable(reason));
        QVERIFY2(reason.contains(outOfMemory ? "out of memory" : "illegal memory access"),
                 qPrintable(reason));
        QVERIFY2(QString::fromStdString(engine.precisionReport()).contains("CPU"),
                 engine.precisionReport().c_str());
        QCOMPARE(out.size(), image.size());
        QVERIFY(test::maxPixelDifference(out, reference.translate(image)) <= 1.0);  // fp32 on the CPU, to 8-bit rounding
        // It stays there: the next translation runs on the CPU without another failure.
        QVERIFY(test::maxPixelDifference(engine.translate(image), out) == 0.0);
        // For good: a later load stays on the CPU at fp32, and the reason stays.
        engine.load(modelPath_);
        QVERIFY(engine.device().isCpu());
        QCOMPARE(QString::fromStdString(engine.precision()), QStringLiteral("fp32"));
        QCOMPARE(QString::fromStdString(engine.fallbackReason()), reason);
        QVERIFY(engine.options().device.isCpu());
    }

    void withoutFallbackTheFailureIsThrown() {
        Fault fault;
        EngineOptions o;
        o.device = Device::cpu();
        o.precision = "bf16";
        o.cpu_fallback = false;
        o.fault_for_testing = fault.hook();
        InferenceEngine engine(o);
        engine.load(modelPath_);
        fault.armed = true;
        try {
            engine.translate(testImage(64, 64));
            QFAIL("the failure was not thrown");
        } catch (const p2p::Error& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains("illegal memory access"), e.what());
        }
        QVERIFY(engine.fallbackReason().empty());
        QCOMPARE(QString::fromStdString(engine.precision()), QStringLiteral("bf16"));
    }

    void onTheCpuAtFp32ThereIsNothingToFallBackTo() {
        Fault fault;
        EngineOptions o;
        o.device = Device::cpu();
        o.precision = "fp32";
        o.fault_for_testing = fault.hook();
        InferenceEngine engine(o);
        engine.load(modelPath_);
        fault.armed = true;
        QVERIFY_THROWS_EXCEPTION(p2p::Error, engine.translate(testImage(64, 64)));
        QVERIFY(engine.fallbackReason().empty());
    }

    // Our own errors (bad input, no model) are not the device's: no move to the CPU.
    void ourErrorsAreNotTheDevices() {
        Fault fault;
        fault.fault = [] { throw p2p::Error("not a device failure"); };
        EngineOptions o;
        o.device = Device::cpu();
        o.precision = "bf16";
        o.fault_for_testing = fault.hook();
        InferenceEngine engine(o);
        engine.load(modelPath_);
        fault.armed = true;
        QVERIFY_THROWS_EXCEPTION(p2p::Error, engine.translate(testImage(64, 64)));
        QVERIFY(engine.fallbackReason().empty());
        QCOMPARE(QString::fromStdString(engine.precision()), QStringLiteral("bf16"));
    }

    // With a GPU: the fp16 check runs at load and says what it measured; impossible limits keep fp32.
    void fp16CheckAtLoadOnAGpu() {
        if (!cudaAvailable()) QSKIP("no CUDA GPU here (tools/gpu-check.sh runs this)");
        EngineOptions o;
        o.device = Device::cuda();
        InferenceEngine engine(o);
        engine.load(modelPath_);
        QCOMPARE(QString::fromStdString(engine.precision()), QStringLiteral("fp16"));
        QVERIFY2(QString::fromStdString(engine.precisionReport()).contains("max |fp16 - fp32|"),
                 engine.precisionReport().c_str());
        o.fp16_max_abs_error = o.fp16_mean_abs_error = 1e-12;
        InferenceEngine strict(o);
        strict.load(modelPath_);
        QCOMPARE(QString::fromStdString(strict.precision()), QStringLiteral("fp32"));
        QVERIFY2(QString::fromStdString(strict.precisionReport()).contains("fp16 was over the limits"),
                 strict.precisionReport().c_str());
        const cv::Mat image = testImage(128, 128);
        QVERIFY(test::maxPixelDifference(engine.translate(image), strict.translate(image)) <= 8.0);
    }
};

QTEST_GUILESS_MAIN(TestDeviceFallback)
#include "test_device_fallback.moc"
