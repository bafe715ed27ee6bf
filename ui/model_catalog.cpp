#include "ui/model_catalog.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

#include <exception>

#include "core/io/model_file.h"

namespace p2p::ui {

QStringList ModelCatalog::candidateDirectories() {
    QStringList candidates;
    // $P2P_MODELS_DIR first (folders separated by ':'): a way to try models without installing them.
    const QString fromEnvironment = qEnvironmentVariable("P2P_MODELS_DIR");
    for (const QString& dir : fromEnvironment.split(QDir::listSeparator(), Qt::SkipEmptyParts))
        candidates << dir;
    const QString appDir = QCoreApplication::applicationDirPath();
    candidates << appDir + QStringLiteral("/models")  // next to the executable (a copied or unpacked build)
               << appDir + QStringLiteral("/../share/pix2pix-studio/models");  // installed: bin/../share
    for (const QString& dir : QStandardPaths::standardLocations(QStandardPaths::GenericDataLocation))
        candidates << dir + QStringLiteral("/pix2pix-studio/models");
#ifdef P2P_SOURCE_MODELS_DIR
    candidates << QStringLiteral(P2P_SOURCE_MODELS_DIR);  // a build tree: the checkout's models/
#endif
    for (QString& c : candidates) c = QDir::cleanPath(c);
    return candidates;
}

QStringList ModelCatalog::searchDirectories() {
    QStringList found;
    for (const QString& c : candidateDirectories()) {
        const QFileInfo info(c);
        if (!info.isDir()) continue;
        const QString canonical = info.canonicalFilePath();
        if (!found.contains(canonical)) found << canonical;
    }
    return found;
}

QVector<CatalogEntry> ModelCatalog::scan(const QStringList& directories) {
    QVector<CatalogEntry> entries;
    QStringList seenNames;
    for (const QString& dir : directories) {
        const QFileInfoList files =
            QDir(dir).entryInfoList({QStringLiteral("*.p2pm")}, QDir::Files | QDir::Readable, QDir::Name);
        for (const QFileInfo& file : files) {
            // The first folder in search order wins when two hold the same file name.
            if (seenNames.contains(file.fileName())) continue;
            seenNames << file.fileName();
            CatalogEntry entry;
            entry.path = file.absoluteFilePath();
            entry.name = file.completeBaseName();
            try {
                const ModelInfo info = inspectModel(entry.path.toStdString());
                if (!info.name.empty()) entry.name = QString::fromStdString(info.name);
                entry.inputKind = QString::fromStdString(info.input_kind);
                entry.direction = QString::fromStdString(info.direction);
                entry.summary = QString::fromStdString(info.generator.describe());
            } catch (const std::exception& e) {
                entry.error = QString::fromStdString(e.what());
            }
            entries << entry;
        }
    }
    return entries;
}

std::optional<CatalogEntry> ModelCatalog::defaultFor(CanvasKind kind) const {
    const QString wanted = toString(kind);
    for (const CatalogEntry& e : entries_)
        if (e.error.isEmpty() && e.inputKind == wanted) return e;
    const QString hint = kind == CanvasKind::Edges ? QStringLiteral("edge") : QStringLiteral("facade");
    for (const CatalogEntry& e : entries_)
        if (e.error.isEmpty() && e.inputKind.isEmpty() &&
            (e.name.contains(hint, Qt::CaseInsensitive) ||
             QFileInfo(e.path).fileName().contains(hint, Qt::CaseInsensitive)))
            return e;
    return std::nullopt;
}

std::optional<CatalogEntry> ModelCatalog::segmenter() const {
    for (const CatalogEntry& e : entries_)
        if (e.error.isEmpty() && isSegmenter(e)) return e;
    return std::nullopt;
}

}  // namespace p2p::ui
