#include "ui/canvas/command_history.h"

namespace p2p::ui {

CommandHistory::CommandHistory(std::size_t budgetBytes, QObject* parent)
    : QObject(parent), budget_(budgetBytes) {}

CommandHistory::~CommandHistory() = default;

void CommandHistory::push(std::unique_ptr<CanvasCommand> command, bool alreadyApplied) {
    if (!command) return;
    const bool wasClean = isClean();
    if (!alreadyApplied) command->redo();
    for (const auto& c : redo_) bytes_ -= c->bytes();
    redo_.clear();
    if (cleanIndex_ > undoCount()) cleanIndex_ = -1;  // the saved state was in the discarded redo branch
    bytes_ += command->bytes();
    undo_.push_back(std::move(command));
    trim();
    notify(wasClean);
}

void CommandHistory::clear() {
    const bool wasClean = isClean();
    undo_.clear();
    redo_.clear();
    bytes_ = 0;
    cleanIndex_ = 0;
    notify(wasClean);
}

QString CommandHistory::undoText() const {
    return undo_.empty() ? QString() : undo_.back()->text();
}
QString CommandHistory::redoText() const {
    return redo_.empty() ? QString() : redo_.back()->text();
}

void CommandHistory::setBudget(std::size_t bytes) {
    const bool wasClean = isClean();
    budget_ = bytes;
    trim();
    notify(wasClean);
}

bool CommandHistory::isClean() const {
    return cleanIndex_ == undoCount();
}

void CommandHistory::setClean() {
    const bool wasClean = isClean();
    cleanIndex_ = undoCount();
    notify(wasClean);
}

void CommandHistory::undo() {
    if (undo_.empty()) return;
    const bool wasClean = isClean();
    auto command = std::move(undo_.back());
    undo_.pop_back();
    command->undo();
    redo_.push_back(std::move(command));
    notify(wasClean);
}

void CommandHistory::redo() {
    if (redo_.empty()) return;
    const bool wasClean = isClean();
    auto command = std::move(redo_.back());
    redo_.pop_back();
    command->redo();
    undo_.push_back(std::move(command));
    notify(wasClean);
}

void CommandHistory::trim() {
    // Redo steps go first (they are the least likely to be wanted), then the oldest undo steps. The newest
    // step always stays, even when it alone is over the budget: the last action can always be undone.
    while (bytes_ > budget_ && !redo_.empty()) {
        bytes_ -= redo_.front()->bytes();
        redo_.pop_front();
        if (cleanIndex_ > undoCount() + redoCount()) cleanIndex_ = -1;
    }
    while (bytes_ > budget_ && undo_.size() > 1) {
        bytes_ -= undo_.front()->bytes();
        undo_.pop_front();
        if (cleanIndex_ >= 0) --cleanIndex_;
    }
}

void CommandHistory::notify(bool wasClean) {
    Q_EMIT changed();
    if (isClean() != wasClean) Q_EMIT cleanChanged(isClean());
}

}  // namespace p2p::ui
