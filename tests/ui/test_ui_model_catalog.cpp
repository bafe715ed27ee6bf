// The embedded-model catalog: finds *.p2pm files, reads their headers, picks one per canvas kind, and lists
// unreadable files with their reason instead of failing.

#include <QtTest/QtTest>

#include <QTemporaryDir>

#include "core/io/model_io.h"
#include "tests/support/test_support.h"
#include "ui/model_catalog.h"

using namespace p2p;
using namespace p2p::ui;

class TestModelCatalog : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QTemporaryDir second_;

    void save(const QString& folder, const QString& file, const std::string& name, const std::string& kind) {
        UnetGenerator g(test::tinyGeneratorOptions("unet_128"));
        SaveModelOptions o;
        o.name = name;
        o.input_kind = kind;
        saveModel(QDir(folder).filePath(file).toStdString(), g, PatchDiscriminator{nullptr}, o);
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid() && second_.isValid());
        save(dir_.path(), QStringLiteral("a_facades.p2pm"), "facades", "facade-labels");
        save(dir_.path(), QStringLiteral("b_edges2shoes.p2pm"), "edges2shoes", "edges");
        save(dir_.path(), QStringLiteral("c_unlabelled_edges.p2pm"), "", "");
        QFile corrupt(dir_.filePath(QStringLiteral("d_broken.p2pm")));
        QVERIFY(corrupt.open(QIODevice::WriteOnly));
        corrupt.write("not a model");
        corrupt.close();
        QFile other(dir_.filePath(QStringLiteral("notes.txt")));
        QVERIFY(other.open(QIODevice::WriteOnly));
        // A later folder with a file of the same name: the first folder in search order wins.
        save(second_.path(), QStringLiteral("a_facades.p2pm"), "shadowed", "facade-labels");
    }

    void scanReadsHeaders() {
        const QVector<CatalogEntry> entries = ModelCatalog::scan({dir_.path(), second_.path()});
        QCOMPARE(entries.size(), 4);  // three models and the broken file; not notes.txt, not the duplicate
        QCOMPARE(entries[0].name, QStringLiteral("facades"));
        QCOMPARE(entries[0].inputKind, QStringLiteral("facade-labels"));
        QVERIFY(entries[0].path.startsWith(dir_.path()));
        QVERIFY(entries[0].summary.contains(QStringLiteral("unet_128")));
        QCOMPARE(entries[1].inputKind, QStringLiteral("edges"));
        QCOMPARE(entries[2].name, QStringLiteral("c_unlabelled_edges"));  // no name in the header: the file's
        QVERIFY(entries[2].error.isEmpty());
        QVERIFY(!entries[3].error.isEmpty());
        QVERIFY(entries[3].error.contains(QStringLiteral("d_broken.p2pm")));
    }

    void defaultsPerKind() {
        ModelCatalog catalog(ModelCatalog::scan({dir_.path()}));
        QCOMPARE(catalog.defaultFor(CanvasKind::FacadeLabels)->name, QStringLiteral("facades"));
        QCOMPARE(catalog.defaultFor(CanvasKind::Edges)->name, QStringLiteral("edges2shoes"));

        // Without input kinds in the headers, a name that says what the model is will do.
        QVector<CatalogEntry> unnamed = catalog.entries();
        for (CatalogEntry& e : unnamed) e.inputKind.clear();
        unnamed.removeAt(1);  // without edges2shoes, the unlabelled "edges" file is the edges model
        const ModelCatalog byName(unnamed);
        QCOMPARE(byName.defaultFor(CanvasKind::Edges)->name, QStringLiteral("c_unlabelled_edges"));
        QCOMPARE(byName.defaultFor(CanvasKind::FacadeLabels)->name, QStringLiteral("facades"));
    }

    void environmentFoldersComeFirst() {
        qputenv("P2P_MODELS_DIR", (second_.path() + QDir::listSeparator() + dir_.path()).toLocal8Bit());
        const QStringList dirs = ModelCatalog::searchDirectories();
        qunsetenv("P2P_MODELS_DIR");
        QVERIFY(dirs.size() >= 2);
        QCOMPARE(dirs[0], QFileInfo(second_.path()).canonicalFilePath());
        QCOMPARE(dirs[1], QFileInfo(dir_.path()).canonicalFilePath());
        QVERIFY(!ModelCatalog::searchDirectories().contains(QFileInfo(second_.path()).canonicalFilePath()));
    }

    void emptyCatalogIsFine() {
        QTemporaryDir empty;
        const ModelCatalog catalog(ModelCatalog::scan({empty.path(), dir_.filePath(QStringLiteral("missing"))}));
        QVERIFY(catalog.isEmpty());
        QVERIFY(!catalog.defaultFor(CanvasKind::FacadeLabels).has_value());
    }
};

QTEST_MAIN(TestModelCatalog)
#include "test_ui_model_catalog.moc"
