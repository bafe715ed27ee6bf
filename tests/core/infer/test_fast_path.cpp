#include <QtTest/QtTest>

#include <fstream>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/autocast_mode.h>

#include "core/common/torch_compat.h"
#include "core/io/model_io.h"
#include "core/nn/fast_unet.h"
#include "core/nn/mixed_precision.h"
#include "tests/support/test_support.h"

using namespace p2p;

namespace {

// A generator with non-trivial running statistics (a few train-mode passes) and BatchNorm affine
// parameters away from 1/0, so folding is really exercised.
UnetGenerator makeGenerator(const std::string& netG, Norm norm, bool dropout, int seed,
                            Upsample upsample = Upsample::Transposed) {
    torch::manual_seed(seed);
    GeneratorOptions o = test::tinyGeneratorOptions(netG, norm);
    o.dropout = dropout;
    o.upsample = upsample;
    UnetGenerator g(o);
    initWeights(*g);
    torch::NoGradGuard noGrad;
    for (auto& m : g->modules(false))
        if (auto* bn = m->as<torch::nn::BatchNorm2dImpl>()) {
            bn->weight.normal_(1.0, 0.3);
            bn->bias.normal_(0.0, 0.3);
        }
    const int size = o.sizeMultiple();
    g->train();
    for (int i = 0; i < 3; ++i) g->forward(torch::randn({2, 3, size, size}));
    g->eval();
    return g;
}

// The reference: the module itself. Image statistics = train mode (batch statistics), on a copy so the
// running statistics of `g` stay as they are.
torch::Tensor referenceOutput(const UnetGenerator& g, const torch::Tensor& x, bool batchStats) {
    UnetGenerator copy(g->options());
    loadStateDict(*copy, stateDictOf(*g), "copy");
    torch::NoGradGuard noGrad;
    if (batchStats)
        copy->train();
    else
        copy->eval();
    return copy->forward(x);
}

enum class TransposedFormulation { Torch, ConvPath, SubPixel };

}  // namespace

class TestFastPath : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    void transposedConvEquivalence_data() {
        QTest::addColumn<int>("cin");
        QTest::addColumn<int>("cout");
        QTest::addColumn<int>("size");
        QTest::addColumn<bool>("bias");
        QTest::addColumn<bool>("convPath");  // false: sub-pixel (inference); true: Conv2d backward (training)
        for (bool convPath : {false, true}) {
            const char* path = convPath ? "conv path" : "sub-pixel";
            QTest::addRow("%s: 1x1 input, no bias", path) << 16 << 8 << 1 << false << convPath;
            QTest::addRow("%s: odd, bias", path) << 6 << 5 << 7 << true << convPath;
            QTest::addRow("%s: rectangular-ish 8", path) << 8 << 3 << 8 << true << convPath;
            QTest::addRow("%s: wide, 16", path) << 64 << 32 << 16 << false << convPath;
        }
    }
    void transposedConvEquivalence() {
        QFETCH(int, cin);
        QFETCH(int, cout);
        QFETCH(int, size);
        QFETCH(bool, bias);
        QFETCH(bool, convPath);
        torch::manual_seed(1);
        auto x = torch::randn({2, cin, size, size + 3}, torch::requires_grad());
        auto w = torch::randn({cin, cout, 4, 4}, torch::requires_grad());
        auto b = bias ? torch::randn({cout}, torch::requires_grad()) : torch::Tensor();
        auto expected = torch::conv_transpose2d(x, w, b, 2, 1);
        auto actual = convPath ? convTranspose2dOnConvPath(x, w, b) : fastConvTranspose2d(x, w, b);
        QCOMPARE(actual.sizes(), expected.sizes());
        QVERIFY(test::maxAbsDiff(actual, expected) < 1e-4);

        // Gradients agree too: the trainer may use it.
        auto g = torch::randn_like(expected);
        auto gradsExpected = torch::autograd::grad(
            {expected}, bias ? std::vector<torch::Tensor>{x, w, b} : std::vector<torch::Tensor>{x, w}, {g});
        auto gradsActual = torch::autograd::grad(
            {actual}, bias ? std::vector<torch::Tensor>{x, w, b} : std::vector<torch::Tensor>{x, w}, {g});
        for (size_t i = 0; i < gradsExpected.size(); ++i)
            QVERIFY2(test::maxAbsDiff(gradsActual[i], gradsExpected[i]) < 1e-3,
                     qPrintable(QString::number(i)));
        if (convPath) return;

        // The inference-side interleave writes into a strided destination (a concatenation buffer).
        torch::NoGradGuard noGrad;
        auto phases = torch::conv2d(x, subpixelKernel(w), bias ? b.repeat({4}) : torch::Tensor(), 1, 1)
                          .contiguous(at::MemoryFormat::ChannelsLast);
        auto buffer =
            torch::zeros({2, cout + 4, 2 * size, 2 * (size + 3)}).contiguous(at::MemoryFormat::ChannelsLast);
        interleavePhases(phases, buffer.narrow(1, 4, cout));
        QVERIFY(test::maxAbsDiff(buffer.narrow(1, 4, cout), expected) < 1e-4);
        QCOMPARE(buffer.narrow(1, 0, 4).abs().max().item<double>(), 0.0);
    }

    // Upsample::Resize's layer (nearest x2, then a 3x3 conv with padding 1) is a transposed convolution
    // (k4, s2, p1) with the kernel resizeConvAsTransposedKernel derives: the same values and gradients (the 3x3
    // weight's through the derivation), on every formulation the fast paths run.
    void resizeConvIsATransposedConv_data() {
        QTest::addColumn<int>("cin");
        QTest::addColumn<int>("cout");
        QTest::addColumn<int>("size");
        QTest::addColumn<bool>("bias");
        QTest::newRow("1x1 input, no bias") << 16 << 8 << 1 << false;
        QTest::newRow("odd, bias") << 6 << 5 << 7 << true;
        QTest::newRow("wide, 16") << 64 << 32 << 16 << false;
    }
    void resizeConvIsATransposedConv() {
        QFETCH(int, cin);
        QFETCH(int, cout);
        QFETCH(int, size);
        QFETCH(bool, bias);
        torch::manual_seed(3);
        ResizeConv layer(cin, cout, bias);
        auto x = torch::randn({2, cin, size, size + 3}, torch::requires_grad());
        const auto expected = layer->forward(x);
        QCOMPARE(expected.sizes().vec(), (std::vector<int64_t>{2, cout, 2 * size, 2 * (size + 3)}));
        const auto& w = layer->conv().weight;
        const auto& b = layer->conv().bias;
        const auto kernel = resizeConvAsTransposedKernel(w);
        QCOMPARE(kernel.sizes().vec(), (std::vector<int64_t>{cin, cout, 4, 4}));
        const std::vector<torch::Tensor> inputs = bias ? std::vector<torch::Tensor>{x, w, b} : std::vector<torch::Tensor>{x, w};
        const auto g = torch::randn_like(expected);
        const auto gradsExpected = torch::autograd::grad({expected}, inputs, {g});
        for (const TransposedFormulation f : {TransposedFormulation::Torch, TransposedFormulation::ConvPath,
                                              TransposedFormulation::SubPixel}) {
            const auto k = resizeConvAsTransposedKernel(w);
            const auto actual = f == TransposedFormulation::Torch      ? torch::conv_transpose2d(x, k, b, 2, 1)
                                : f == TransposedFormulation::ConvPath ? convTranspose2dOnConvPath(x, k, b)
                                                                       : fastConvTranspose2d(x, k, b);
            QVERIFY2(test::maxAbsDiff(actual, expected) < 1e-4, qPrintable(QString::number(int(f))));
            const auto grads = torch::autograd::grad({actual}, inputs, {g});
            for (size_t i = 0; i < grads.size(); ++i)
                QVERIFY2(test::maxAbsDiff(grads[i], gradsExpected[i]) < 1e-3,
                         qPrintable(QString("formulation %1, gradient %2").arg(int(f)).arg(i)));
        }
    }

    // Under autocast (the trainer's bf16 mode) the conv path computes in bf16 like autocast's conv2d: a bf16
    // result (fp32 where an fp32 bias is added), close to fp32's, and fp32 gradients for x, weight and bias.
    // Outside the scope nothing is cast: the same result as before, to the bit.
    void convPathUnderAutocast() {
        torch::manual_seed(2);
        auto x = torch::randn({1, 32, 8, 8}, torch::requires_grad());
        auto w = (torch::randn({32, 16, 4, 4}) * 0.1).requires_grad_();
        auto b = torch::randn({16}, torch::requires_grad());
        const auto expected = convTranspose2dOnConvPath(x, w, {});
        torch::Tensor low, biased;
        {
            AutocastScope autocast(torch::kBFloat16, torch::kCPU);
            low = convTranspose2dOnConvPath(x, w, {});
            biased = convTranspose2dOnConvPath(x, w, b);
        }
        QVERIFY(!p2p::compat::autocastEnabled(at::kCPU));
        QCOMPARE(low.scalar_type(), torch::kBFloat16);
        QCOMPARE(biased.scalar_type(), torch::kFloat32);
        const double scale = expected.abs().max().item<double>();
        const double error = test::maxAbsDiff(low.to(torch::kFloat32), expected);
        QVERIFY2(error > 0 && error < 0.02 * scale, qPrintable(QString::number(error / scale)));
        const auto grads = torch::autograd::grad({biased}, {x, w, b}, {torch::ones_like(biased)});
        for (const auto& g : grads) QCOMPARE(g.scalar_type(), torch::kFloat32);
        const auto exact =
            torch::autograd::grad({convTranspose2dOnConvPath(x, w, b)}, {w}, {torch::ones_like(biased)});
        QVERIFY(test::maxAbsDiff(grads[1], exact[0]) < 0.02 * exact[0].abs().max().item<double>());
        QVERIFY(torch::equal(convTranspose2dOnConvPath(x, w, {}), expected));
    }

    // Under autocast the trainer's G keeps the layers where bf16 does not pay in fp32 (lowPrecisionPays):
    // with ngf 2 every layer has fewer than 16 channels on a side or fewer than 256 weight uses, so the bf16
    // forward is the fp32 one to the bit; with ngf 16 the outer layers are bf16 and the result moves.
    // The resize layers' 3x3 convs follow the same rule (their weight uses: N x 2H x 2W).
    void autocastKeepsLayersWhereBf16DoesNotPayInFp32_data() {
        QTest::addColumn<int>("upsample");
        QTest::newRow("transposed") << int(Upsample::Transposed);
        QTest::newRow("resize") << int(Upsample::Resize);
    }
    void autocastKeepsLayersWhereBf16DoesNotPayInFp32() {
        QFETCH(int, upsample);
        QVERIFY(lowPrecisionPays(256, 16, 16));
        QVERIFY(!lowPrecisionPays(255, 16, 16));
        QVERIFY(!lowPrecisionPays(4096, 3, 64));
        QVERIFY(!lowPrecisionPays(4096, 64, 3));
        for (const int ngf : {2, 16}) {
            torch::manual_seed(4);
            GeneratorOptions o = test::tinyGeneratorOptions("unet_128");
            o.ngf = ngf;
            o.dropout = false;
            o.upsample = Upsample(upsample);
            UnetGenerator g(o);
            initWeights(*g);
            g->train();
            const auto x = torch::randn({1, 3, 128, 128});
            const auto fp32 = unetForwardOnConvPath(g, x);
            torch::Tensor mixed;
            {
                AutocastScope autocast(torch::kBFloat16, torch::kCPU);
                mixed = unetForwardOnConvPath(g, x);
            }
            QCOMPARE(mixed.scalar_type(), torch::kFloat32);  // the 3-channel output layer is fp32
            if (ngf == 2)
                QVERIFY(torch::equal(mixed, fp32));
            else
                QVERIFY(!torch::equal(mixed, fp32) && test::maxAbsDiff(mixed, fp32) < 0.05);
        }
    }

    void moduleHasTheSameParameters() {
        FastConvTranspose2d fast(6, 4, true);
        torch::nn::ConvTranspose2d reference(torch::nn::ConvTranspose2dOptions(6, 4, 4).stride(2).padding(1));
        QCOMPARE(fast->weight.sizes(), reference->weight.sizes());
        QCOMPARE(fast->bias.sizes(), reference->bias.sizes());
        torch::NoGradGuard noGrad;
        fast->weight.copy_(reference->weight);
        fast->bias.copy_(reference->bias);
        auto x = torch::randn({1, 6, 5, 9});
        QVERIFY(test::maxAbsDiff(fast->forward(x), reference->forward(x)) < 1e-5);
    }

    void equalsTheModule_data() {
        QTest::addColumn<QString>("netG");
        QTest::addColumn<int>("norm");
        QTest::addColumn<bool>("imageStats");
        QTest::addColumn<bool>("channelsLast");
        QTest::addColumn<int>("upsample");
        for (Upsample upsample : {Upsample::Transposed, Upsample::Resize})
            for (const char* netG : {"unet_128", "unet_256"})
                for (Norm norm : {Norm::Batch, Norm::Instance})
                    for (bool imageStats : {false, true})
                        QTest::addRow("%s %s %s%s", netG, toString(norm).c_str(), imageStats ? "image" : "running",
                                      upsample == Upsample::Resize ? " resize" : "")
                            << QString(netG) << int(norm) << imageStats << true << int(upsample);
        for (Upsample upsample : {Upsample::Transposed, Upsample::Resize})
            QTest::addRow("unet_128 batch running NCHW%s", upsample == Upsample::Resize ? " resize" : "")
                << "unet_128" << int(Norm::Batch) << false << false << int(upsample);
    }
    void equalsTheModule() {
        QFETCH(QString, netG);
        QFETCH(int, norm);
        QFETCH(bool, imageStats);
        QFETCH(bool, channelsLast);
        QFETCH(int, upsample);
        auto g = makeGenerator(netG.toStdString(), Norm(norm), /*dropout=*/false, 5, Upsample(upsample));
        const int size = netG == "unet_128" ? 64 : 256;
        // unet_128 needs multiples of 128: a batch of 2 at 128x128 also tests batch handling.
        torch::manual_seed(7);
        auto x = torch::randn({netG == "unet_128" ? 2 : 1, 3, std::max(size, g->options().sizeMultiple()),
                               g->options().sizeMultiple()});
        const auto expected = referenceOutput(g, x, imageStats);

        FastUnetOptions options;
        options.channels_last = channelsLast;
        FastUnet fast(g, options);
        UnetRunOptions run;
        run.batch_stats = imageStats;
        c10::InferenceMode guard;
        const auto actual = fast.forward(x, run);
        const double diff = test::maxAbsDiff(actual, expected);
        QVERIFY2(diff < 1e-4, qPrintable(QString("max |fast - module| = %1").arg(diff)));

        // The unfolded variant (what Image stats use) also equals eval when given running statistics.
        if (!imageStats) {
            options.fold_batchnorm = false;
            FastUnet unfolded(g, options);
            QVERIFY(test::maxAbsDiff(unfolded.forward(x, run), expected) < 1e-4);
        }
    }

    void trainingForwardMatchesTheModule_data() {
        QTest::addColumn<bool>("convPath");
        QTest::addColumn<int>("upsample");
        QTest::newRow("sub-pixel") << false << int(Upsample::Transposed);
        QTest::newRow("conv path (the trainer's)") << true << int(Upsample::Transposed);
        QTest::newRow("sub-pixel, resize") << false << int(Upsample::Resize);
        QTest::newRow("conv path (the trainer's), resize") << true << int(Upsample::Resize);
    }
    void trainingForwardMatchesTheModule() {
        QFETCH(bool, convPath);
        QFETCH(int, upsample);
        // Train mode with dropout: the same RNG draws in the same order, so outputs and gradients agree.
        auto g = makeGenerator("unet_128", Norm::Batch, /*dropout=*/true, 8, Upsample(upsample));
        UnetGenerator twin(g->options());
        loadStateDict(*twin, stateDictOf(*g), "twin");
        g->train();
        twin->train();
        auto x = torch::randn({1, 3, 128, 128});
        auto target = torch::randn({1, 3, 128, 128});
        torch::manual_seed(21);
        auto expected = g->forward(x);
        torch::manual_seed(21);
        auto actual = convPath ? unetForwardOnConvPath(twin, x) : unetForwardFast(twin, x);
        QVERIFY(test::maxAbsDiff(actual, expected) < 1e-4);
        torch::l1_loss(expected, target).backward();
        torch::l1_loss(actual, target).backward();
        const auto pe = g->named_parameters(), pa = twin->named_parameters();
        for (const auto& item : pe) {
            const double d = test::maxAbsDiff(pa[item.key()].grad(), item.value().grad());
            QVERIFY2(d < 1e-4, qPrintable(QString::fromStdString(item.key()) + ": " + QString::number(d)));
        }
        // Running statistics moved the same way.
        const auto be = g->named_buffers(), ba = twin->named_buffers();
        for (const auto& item : be)
            QVERIFY(test::maxAbsDiff(ba[item.key()].to(torch::kDouble), item.value().to(torch::kDouble)) <
                    1e-5);
    }

    void neverTouchesRunningStatistics() {
        auto g = makeGenerator("unet_128", Norm::Batch, true, 2);
        const auto before = stateDictOf(*g);
        std::vector<torch::Tensor> copies;
        for (const auto& [k, v] : before) copies.push_back(v.clone());
        FastUnet fast(g);
        UnetRunOptions run;
        run.batch_stats = true;
        run.dropout = at::make_generator<at::CPUGeneratorImpl>(3);
        c10::InferenceMode guard;
        fast.forward(torch::randn({1, 3, 128, 128}), run);
        for (size_t i = 0; i < before.size(); ++i) QVERIFY(torch::equal(before[i].second, copies[i]));
    }

    void recordedStatisticsReplayExactly() {
        auto g = makeGenerator("unet_128", Norm::Batch, false, 4);
        FastUnet fast(g);
        c10::InferenceMode guard;
        auto x = torch::randn({1, 3, 128, 256});
        std::vector<NormStatistics> stats;
        UnetRunOptions record;
        record.batch_stats = true;
        record.record = &stats;
        const auto a = fast.forward(x, record);
        QCOMPARE(static_cast<int>(stats.size()), fast.normLayers());
        UnetRunOptions replay;
        replay.fixed = &stats;
        QVERIFY(test::maxAbsDiff(fast.forward(x, replay), a) < 1e-5);
    }

    void bf16StaysClose_data() {
        QTest::addColumn<int>("upsample");
        QTest::newRow("transposed") << int(Upsample::Transposed);
        QTest::newRow("resize") << int(Upsample::Resize);
    }
    void bf16StaysClose() {
        QFETCH(int, upsample);
        auto g = makeGenerator("unet_128", Norm::Batch, false, 6, Upsample(upsample));
        FastUnetOptions options;
        options.dtype = torch::kBFloat16;
        FastUnet fast(g, options);
        c10::InferenceMode guard;
        auto x = torch::rand({1, 3, 128, 128}) * 2 - 1;
        const auto expected = referenceOutput(g, x, false);
        const auto actual = fast.forward(x).to(torch::kFloat32);
        QCOMPARE(actual.scalar_type(), torch::kFloat32);
        const double maxErr = test::maxAbsDiff(actual, expected);
        QVERIFY2(maxErr < 0.1, qPrintable(QString::number(maxErr)));
    }

    void referenceFixture() {
        P2P_REQUIRE_SHARED(dir, "fixtures/g_unet256_ngf8_batch_eval");
        LoadedModel model;
        try {
            model = loadModel(dir + "/net_G.pth");
        } catch (const std::exception& e) {
            QFAIL(qPrintable(QString("the .pth reader cannot load the fixture: %1").arg(e.what())));
        }
        auto x = test::readRawFloat32(dir + "/input.bin", {1, 3, 256, 256});
        auto expected = test::readRawFloat32(dir + "/output.bin", {1, 3, 256, 256});
        FastUnet fast(model.generator);
        c10::InferenceMode guard;
        const double diff = test::maxAbsDiff(fast.forward(x), expected);
        QVERIFY2(diff < 1e-4, qPrintable(QString::number(diff)));
    }

    void referenceFixtureBatchStatistics() {
        P2P_REQUIRE_SHARED(dir, "fixtures/g_unet256_ngf8_batch_trainstats_nodropout");
        LoadedModel model;
        try {
            model = loadModel(dir + "/net_G.pth");
        } catch (const std::exception& e) {
            QFAIL(qPrintable(QString("the .pth reader cannot load the fixture: %1").arg(e.what())));
        }
        auto x = test::readRawFloat32(dir + "/input.bin", {2, 3, 256, 256});
        auto expected = test::readRawFloat32(dir + "/output.bin", {2, 3, 256, 256});
        FastUnet fast(model.generator);
        UnetRunOptions run;
        run.batch_stats = true;
        c10::InferenceMode guard;
        const double diff = test::maxAbsDiff(fast.forward(x, run), expected);
        QVERIFY2(diff < 1e-4, qPrintable(QString::number(diff)));
    }
};

QTEST_GUILESS_MAIN(TestFastPath)
#include "test_fast_path.moc"
