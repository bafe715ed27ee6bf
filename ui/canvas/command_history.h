#pragma once

// Undo/redo bounded by memory, not by count (as KolourPaint's kpCommandHistory): every command reports
// the bytes it holds, and the oldest undo steps are dropped once the total passes the budget. QUndoStack
// cannot drop its oldest commands after the fact, hence this small stack.

#include <QObject>
#include <QString>

#include <cstddef>
#include <deque>
#include <memory>

namespace p2p::ui {

class CanvasCommand {
public:
    virtual ~CanvasCommand() = default;
    virtual void undo() = 0;
    virtual void redo() = 0;
    virtual QString text() const = 0;
    virtual std::size_t bytes() const = 0;  // memory the command keeps alive (pixels mostly)
};

class CommandHistory : public QObject {
    Q_OBJECT
public:
    static constexpr std::size_t kDefaultBudget = std::size_t{256} << 20;

    explicit CommandHistory(std::size_t budgetBytes = kDefaultBudget, QObject* parent = nullptr);
    ~CommandHistory() override;

    // Adds a command and discards the redo steps. `alreadyApplied`: the change is on the canvas already
    // (a stroke painted live); otherwise redo() is called first.
    void push(std::unique_ptr<CanvasCommand> command, bool alreadyApplied);
    void clear();

    bool canUndo() const { return !undo_.empty(); }
    bool canRedo() const { return !redo_.empty(); }
    QString undoText() const;
    QString redoText() const;
    int undoCount() const { return static_cast<int>(undo_.size()); }
    int redoCount() const { return static_cast<int>(redo_.size()); }

    std::size_t bytes() const { return bytes_; }
    std::size_t budget() const { return budget_; }
    void setBudget(std::size_t bytes);  // trims at once when the history holds more

    // "Clean" is the state last saved; unreachable (never clean again) once its step was dropped.
    bool isClean() const;
    void setClean();

public Q_SLOTS:
    void undo();
    void redo();

Q_SIGNALS:
    void changed();  // can-undo/redo, texts, bytes or cleanliness may differ
    void cleanChanged(bool clean);

private:
    void trim();
    void notify(bool wasClean);

    std::deque<std::unique_ptr<CanvasCommand>> undo_;  // oldest first
    std::deque<std::unique_ptr<CanvasCommand>> redo_;  // next to redo last
    std::size_t bytes_ = 0;
    std::size_t budget_;
    long long cleanIndex_ = 0;  // undoCount() at the clean state; -1 when unreachable
};

}  // namespace p2p::ui
