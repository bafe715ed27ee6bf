// BlockedAdam is torch::optim::Adam run in cache-sized slices: the same parameters and moments to the bit,
// after many steps, for tensors smaller than a slice, several slices with a ragged end and odd sizes, at one
// and two threads, with weight decay and amsgrad too; and its state is what checkpoints capture. It runs on
// released gradients (releaseGradients) and equals torch::optim::Adam on gradients accumulated into zeroed
// buffers, as the trainer had them, -0 gradients included.

#include <QtTest/QtTest>

#include "core/common/runtime.h"
#include "core/train/blocked_adam.h"
#include "core/train/checkpoint.h"

using namespace p2p;

namespace {

// Bit for bit: torch::equal takes -0 for +0.
bool sameBits(const torch::Tensor& a, const torch::Tensor& b) {
    return torch::equal(a.view(torch::kInt32), b.view(torch::kInt32));
}

std::vector<torch::Tensor> parameters(int seed) {
    torch::manual_seed(seed);
    const int64_t slice = BlockedAdam::kSliceElements;
    return {torch::randn({3}), torch::randn({1000}), torch::randn({2 * slice + 17}),
            torch::randn({512, 130, 4, 4}), torch::randn({slice})};
}

}  // namespace

class TestBlockedAdam : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sameBitsAsTorchAdam_data() {
        QTest::addColumn<int>("threads");
        QTest::addColumn<double>("weightDecay");
        QTest::addColumn<bool>("amsgrad");
        QTest::newRow("1 thread") << 1 << 0.0 << false;
        QTest::newRow("2 threads") << 2 << 0.0 << false;
        QTest::newRow("3 threads, weight decay, amsgrad") << 3 << 0.01 << true;
    }

    void sameBitsAsTorchAdam() {
        QFETCH(int, threads);
        QFETCH(double, weightDecay);
        QFETCH(bool, amsgrad);
        configureThreads(threads);
        std::vector<torch::Tensor> a = parameters(1), b = parameters(1);
        for (auto* set : {&a, &b})
            for (auto& p : *set) p.requires_grad_();
        const auto options =
            torch::optim::AdamOptions(2e-4).betas({0.5, 0.999}).weight_decay(weightDecay).amsgrad(amsgrad);
        torch::optim::Adam reference(a, options);
        BlockedAdam blocked(b, options);
        torch::nn::Module holderA, holderB;  // captureAdamState reads the state by the module's parameters
        for (size_t i = 0; i < a.size(); ++i) {
            holderA.register_parameter("p" + std::to_string(i), a[i]);
            holderB.register_parameter("p" + std::to_string(i), b[i]);
        }
        torch::manual_seed(2);
        for (int step = 0; step < 6; ++step) {
            reference.zero_grad();
            releaseGradients(blocked);
            for (size_t i = 0; i < a.size(); ++i) {
                if (step == 3 && i == 1) {
                    // Skipped by both. (On a zeroed gradient torch::optim::Adam would still step it; the
                    // trainer's backward passes give every parameter a gradient.)
                    a[i].mutable_grad() = torch::Tensor();
                    continue;
                }
                // Gradients over many magnitudes, so that every rounding path is taken, and some -0.
                auto g = torch::randn_like(a[i]) * torch::pow(10.0, torch::randint(-8, 1, a[i].sizes()));
                const auto negativeZero = torch::rand_like(g) < 0.05;
                g.masked_fill_(negativeZero, -0.0);
                if (step == 4) {
                    // Where the first moment is -0 too, a -0 gradient would keep it -0, a +0 one makes it +0.
                    const auto ma = captureAdamState(reference, holderA, AdamCapture::Reference);
                    const auto mb = captureAdamState(blocked, holderB, AdamCapture::Reference);
                    ma[i].second.exp_avg.masked_fill_(negativeZero, -0.0);
                    mb[i].second.exp_avg.masked_fill_(negativeZero, -0.0);
                }
                // As autograd accumulates: into the zeroed buffer, or handed over.
                if (a[i].grad().defined())
                    a[i].mutable_grad().add_(g);
                else
                    a[i].mutable_grad() = torch::zeros_like(a[i]).add_(g);
                QVERIFY(!b[i].grad().defined());
                b[i].mutable_grad() = g.clone();
            }
            reference.step();
            blocked.step();
        }
        for (size_t i = 0; i < a.size(); ++i)
            QVERIFY2(sameBits(a[i], b[i]), qPrintable(QString("parameter %1").arg(i)));
        const AdamStateRecord ra = captureAdamState(reference, holderA),
                              rb = captureAdamState(blocked, holderB);
        QCOMPARE(ra.size(), a.size());
        QCOMPARE(rb.size(), a.size());
        for (size_t i = 0; i < ra.size(); ++i) {
            QCOMPARE(rb[i].second.step, ra[i].second.step);
            QVERIFY(sameBits(ra[i].second.exp_avg, rb[i].second.exp_avg));
            QVERIFY(sameBits(ra[i].second.exp_avg_sq, rb[i].second.exp_avg_sq));
        }
        configureThreads(1);
    }
};

QTEST_GUILESS_MAIN(TestBlockedAdam)
#include "test_blocked_adam.moc"
