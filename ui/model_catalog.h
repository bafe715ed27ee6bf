#pragma once

// The embedded models: models/*.p2pm in the folders of $P2P_MODELS_DIR, next to the executable, in the
// install's share folder, in the user's data folder and (for a build tree) in the source tree. Scanning reads each file's header, so it belongs
// off the GUI thread (QtConcurrent) when the files are large.

#include <QString>
#include <QStringList>
#include <QVector>

#include <optional>

#include "ui/canvas/label_document.h"

namespace p2p::ui {

struct CatalogEntry {
    QString path;
    QString name;       // from the model's header, else the file name
    QString inputKind;  // "facade-labels" | "edges" | "" when the header does not say
    QString direction;
    QString summary;  // one line for menus and tooltips
    QString error;    // set when the file could not be read; such entries are listed, not loaded
};

class ModelCatalog {
public:
    // Every folder the studio looks in, in search order, whether or not it exists (for messages).
    static QStringList candidateDirectories();
    // Existing folders, in search order, without duplicates.
    static QStringList searchDirectories();
    static QVector<CatalogEntry> scan(const QStringList& directories = searchDirectories());

    ModelCatalog() = default;
    explicit ModelCatalog(QVector<CatalogEntry> entries) : entries_(std::move(entries)) {}

    const QVector<CatalogEntry>& entries() const { return entries_; }
    bool isEmpty() const { return entries_.isEmpty(); }

    // The model for a canvas kind: the header's input kind decides; a name mentioning "facade" or "edge"
    // is the fallback for files without one.
    std::optional<CatalogEntry> defaultFor(CanvasKind kind) const;
    // A photo -> label model (input kind "photo", e.g. facades-segmenter.p2pm): evaluation re-labels generated
    // photos with it. Such models are not painted with, so the model menu leaves them out.
    std::optional<CatalogEntry> segmenter() const;
    static bool isSegmenter(const CatalogEntry& entry) { return entry.inputKind == QStringLiteral("photo"); }

private:
    QVector<CatalogEntry> entries_;
};

}  // namespace p2p::ui
