// The fuzz targets' seed corpora and every crasher the fuzzers found (tools/fuzz/corpus/<target>/, crashers
// named crash-*), replayed through the same per-input code as the libFuzzer targets (tools/fuzz/*_target.h),
// in the ordinary build: a regression comes back as a failing row here, without clang or libFuzzer.

#include <QDir>
#include <QtTest/QtTest>

#include <stdexcept>

#define P2P_FUZZ_FAIL(what) throw std::logic_error(what)
#include "tools/fuzz/image_loader_target.h"
#include "tools/fuzz/pth_reader_target.h"

namespace {

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void corpusRows(const char* target) {
    QTest::addColumn<QString>("path");
    const QDir dir(QStringLiteral(P2P_SOURCE_DIR "/tools/fuzz/corpus/") + target);
    const QStringList files = dir.entryList(QDir::Files | QDir::Hidden, QDir::Name);
    QVERIFY2(!files.isEmpty(), qPrintable(dir.path() + " holds no seeds"));
    for (const QString& f : files) QTest::newRow(qPrintable(f)) << dir.filePath(f);
}

}  // namespace

class TestFuzzRegressions : public QObject {
    Q_OBJECT
    QString scratch_;

private Q_SLOTS:
    void initTestCase() {
        torch::set_num_threads(1);
        scratch_ = QDir::temp().filePath(
            QString("p2p-fuzz-regression-%1.img").arg(QCoreApplication::applicationPid()));
    }
    void cleanupTestCase() { QFile::remove(scratch_); }

    void imageLoader_data() { corpusRows("image"); }
    void imageLoader() {
        QFETCH(QString, path);
        const QByteArray bytes = readAll(path);
        try {
            p2p::fuzz::imageLoaderOneInput(reinterpret_cast<const uint8_t*>(bytes.constData()),
                                           size_t(bytes.size()), scratch_.toStdString());
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
    }

    // The crashers, spelled out where their effect is visible without a sanitizer.
    void tiffLong8InAClassicTiffIsNotRead() {
        // II*\0, first directory at 8: one entry, ImageWidth (256) of type LONG8 (16), which only BigTIFF
        // has. Reading 8 bytes from the classic 4-byte value field ran past the directory.
        const std::vector<uint8_t> tiff{'I',  'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x00,
                                        0x01, 16,  0,  1, 0, 0, 0, 7, 0, 0, 0};
        try {
            p2p::parseImageHeader(tiff, "long8.tif");
            QFAIL("accepted");
        } catch (const p2p::Error& e) {
            QVERIFY2(QString(e.what()).contains("no image width"), e.what());
        }
    }
    void tiffWithAnEmptyDirectory() {
        const std::vector<uint8_t> tiff{'I', 'I', 42, 0, 8, 0, 0, 0, 0, 0};
        try {
            p2p::parseImageHeader(tiff, "empty.tif");
            QFAIL("accepted");
        } catch (const p2p::Error& e) {
            QVERIFY2(QString(e.what()).contains("no image width"), e.what());
        }
    }

    void pthReader_data() { corpusRows("pth"); }
    void pthReader() {
        QFETCH(QString, path);
        const QByteArray bytes = readAll(path);
        try {
            p2p::fuzz::pthReaderOneInput(reinterpret_cast<const uint8_t*>(bytes.constData()),
                                         size_t(bytes.size()));
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestFuzzRegressions)
#include "test_fuzz_regressions.moc"
