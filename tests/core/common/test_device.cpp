// p2p::Device: parsed and checked once, with messages a user can act on; resolved against a machine.

#include <QtTest/QtTest>

#include "core/common/device.h"
#include "core/common/error.h"
#include "core/common/torch_device.h"

using p2p::Device;

class TestDevice : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parsesWhatItPrints_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("canonical");
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("index");
        QTest::newRow("auto") << "auto" << "auto" << int(Device::Kind::Auto) << -1;
        QTest::newRow("empty is auto") << "" << "auto" << int(Device::Kind::Auto) << -1;
        QTest::newRow("cpu") << "cpu" << "cpu" << int(Device::Kind::Cpu) << -1;
        QTest::newRow("cuda") << "cuda" << "cuda" << int(Device::Kind::Cuda) << -1;
        QTest::newRow("cuda:0") << "cuda:0" << "cuda:0" << int(Device::Kind::Cuda) << 0;
        QTest::newRow("cuda:12") << "cuda:12" << "cuda:12" << int(Device::Kind::Cuda) << 12;
    }
    void parsesWhatItPrints() {
        QFETCH(QString, text);
        QFETCH(QString, canonical);
        QFETCH(int, kind);
        QFETCH(int, index);
        const Device d = Device::parse(text.toStdString());
        QCOMPARE(int(d.kind()), kind);
        QCOMPARE(d.index(), index);
        QCOMPARE(QString::fromStdString(d.str()), canonical);
        QVERIFY(Device::parse(d.str()) == d);
        QVERIFY(Device::problemWith(text.toStdString()).empty());
    }

    void refusesWithAReadableReason_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("says");
        QTest::newRow("unknown") << "tpu" << "expected auto, cpu, cuda or cuda:N";
        QTest::newRow("upper case") << "CUDA" << "lower case";
        QTest::newRow("gpu") << "gpu" << "lower case";
        QTest::newRow("letters after cuda:") << "cuda:x" << "GPU number";
        QTest::newRow("nothing after cuda:") << "cuda:" << "GPU number";
        QTest::newRow("negative") << "cuda:-1" << "GPU number";
        QTest::newRow("trailing") << "cuda:1a" << "GPU number";
        QTest::newRow("spaces") << " cpu" << "unknown device";
    }
    void refusesWithAReadableReason() {
        QFETCH(QString, text);
        QFETCH(QString, says);
        const QString why = QString::fromStdString(Device::problemWith(text.toStdString()));
        QVERIFY2(why.contains(says), qPrintable(why));
        QVERIFY2(why.contains(text.trimmed()), qPrintable(why));  // names what was given
        try {
            Device::parse(text.toStdString());
            QFAIL("parse accepted a bad device");
        } catch (const p2p::Error& e) {
            QCOMPARE(QString::fromUtf8(e.what()), why);
        }
    }

    void resolvesAgainstAMachine() {
        QCOMPARE(Device::automatic().resolvedOn(0), Device::cpu());
        QCOMPARE(Device::automatic().resolvedOn(2), Device::cuda());
        QCOMPARE(Device::cpu().resolvedOn(2), Device::cpu());
        QCOMPARE(Device::cuda(1).resolvedOn(2), Device::cuda(1));
        try {
            Device::cuda().resolvedOn(0);
            QFAIL("cuda resolved on a machine without a GPU");
        } catch (const p2p::Error& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains("no CUDA"), e.what());
        }
        try {
            Device::cuda(3).resolvedOn(2);
            QFAIL("cuda:3 resolved on a machine with 2 GPUs");
        } catch (const p2p::Error& e) {
            const QString message = QString::fromUtf8(e.what());
            QVERIFY2(message.contains("cuda:3") && message.contains("2 GPU") && message.contains("cuda:1"), e.what());
        }
    }

    void convertsToTorch() {
        QVERIFY(p2p::torchDevice(Device::cpu()).is_cpu());
        const auto cuda1 = p2p::torchDevice(Device::cuda(1));
        QVERIFY(cuda1.is_cuda());
        QCOMPARE(int(cuda1.index()), 1);
        QVERIFY(!p2p::torchDevice(Device::cuda()).has_index());
    }

    void describesForPeople() {
        QVERIFY(QString::fromStdString(Device::cpu().describe()).startsWith("CPU ("));
        QVERIFY(QString::fromStdString(Device::cuda(1).describe()).startsWith("cuda:1 ("));
    }
};

QTEST_GUILESS_MAIN(TestDevice)
#include "test_device.moc"
