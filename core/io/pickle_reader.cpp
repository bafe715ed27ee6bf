#include "core/io/pickle_reader.h"

#include <cstdio>
#include <cstring>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <unordered_map>

#include "core/common/error.h"

namespace p2p {

size_t elementSize(StorageDtype dtype) {
    switch (dtype) {
        case StorageDtype::Float32:
            return 4;
        case StorageDtype::Float16:
            return 2;
        case StorageDtype::BFloat16:
            return 2;
        case StorageDtype::Float64:
            return 8;
        case StorageDtype::Int64:
            return 8;
        case StorageDtype::Int32:
            return 4;
    }
    return 1;
}

std::string toString(StorageDtype dtype) {
    switch (dtype) {
        case StorageDtype::Float32:
            return "float32";
        case StorageDtype::Float16:
            return "float16";
        case StorageDtype::BFloat16:
            return "bfloat16";
        case StorageDtype::Float64:
            return "float64";
        case StorageDtype::Int64:
            return "int64";
        case StorageDtype::Int32:
            return "int32";
    }
    return "unknown";
}

int64_t PickledTensor::numel() const {
    int64_t n = 1;
    for (int64_t s : sizes) n *= s;  // validated not to overflow when the view was built
    return n;
}

namespace {

// Limits far above any real state dict (a 54M-parameter U-Net pickles ~1,300 objects) that keep a
// hostile data.pkl from turning a few bytes into gigabytes.
constexpr size_t kMaxObjects = size_t(1) << 20;
constexpr size_t kMaxPushes = size_t(1) << 23;
constexpr size_t kMaxMemo = size_t(1) << 20;
constexpr size_t kMaxMarkDepth = 1000;
constexpr size_t kMaxGlobalName = 256;
constexpr size_t kMaxDims = 32;

enum class Kind { None, Bool, Int, Float, String, Tuple, List, Dict, Global, Storage, Tensor };
enum class GlobalId { OrderedDict, RebuildTensorV2, RebuildTensor, RebuildParameter, StorageType };

const char* kindName(Kind k) {
    switch (k) {
        case Kind::None:
            return "None";
        case Kind::Bool:
            return "bool";
        case Kind::Int:
            return "int";
        case Kind::Float:
            return "float";
        case Kind::String:
            return "str";
        case Kind::Tuple:
            return "tuple";
        case Kind::List:
            return "list";
        case Kind::Dict:
            return "dict";
        case Kind::Global:
            return "global";
        case Kind::Storage:
            return "storage";
        case Kind::Tensor:
            return "tensor";
    }
    return "object";
}

// Objects live in an arena owned by the unpickler and refer to each other by raw pointer, so that
// self-referencing containers (legal in a pickle) neither leak nor recurse on destruction.
struct Object {
    explicit Object(Kind k) : kind(k) {}
    Kind kind;
    bool boolean = false;
    int64_t integer = 0;
    double real = 0.0;
    GlobalId global = GlobalId::OrderedDict;
    StorageDtype dtype = StorageDtype::Float32;        // StorageType globals
    std::string text;                                  // String; Global: the qualified name
    std::vector<Object*> items;                        // Tuple, List
    std::vector<std::pair<Object*, Object*>> entries;  // Dict, in insertion order
    std::unique_ptr<PickledTensor> tensor;             // Storage (key, dtype, numel) and Tensor
};

std::string printable(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 80)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
    if (s.size() > 80) out += "...";
    return out;
}

class Unpickler {
public:
    Unpickler(std::string_view data, const std::string& what) : data_(data), what_(what) {
        true_.boolean = true;
    }

    PickledStateDict run() {
        while (true) {
            opStart_ = pos_;
            const uint8_t op = u8();
            if (op == '.') break;
            step(op);
        }
        return toStateDict(pop());
    }

private:
    [[noreturn]] void fail(const std::string& reason) const {
        throw Error(what_ + ": data.pkl, byte " + std::to_string(opStart_) + ": " + reason);
    }

    // ---- reading the opcode stream
    const char* need(size_t n) {
        if (n > data_.size() - pos_) fail("the pickle is truncated");
        const char* p = data_.data() + pos_;
        pos_ += n;
        return p;
    }
    uint8_t u8() { return uint8_t(*need(1)); }
    uint64_t uleN(size_t n) {
        const auto* p = reinterpret_cast<const unsigned char*>(need(n));
        uint64_t v = 0;
        for (size_t i = 0; i < n; ++i) v |= uint64_t(p[i]) << (8 * i);
        return v;
    }
    std::string_view bytes(uint64_t n) {
        if (n > data_.size() - pos_) fail("a string runs past the end of the pickle");
        return std::string_view(need(size_t(n)), size_t(n));
    }
    std::string line() {
        const size_t end = data_.find('\n', pos_);
        if (end == std::string_view::npos) fail("a global name runs past the end of the pickle");
        if (end - pos_ > kMaxGlobalName) fail("a global name is implausibly long");
        std::string s(data_.substr(pos_, end - pos_));
        pos_ = end + 1;
        return s;
    }

    // ---- objects and the stack
    Object* make(Kind kind) {
        if (arena_.size() >= kMaxObjects) fail("the pickle holds implausibly many objects");
        arena_.emplace_back(kind);
        return &arena_.back();
    }
    Object* makeInt(int64_t v) {
        Object* o = make(Kind::Int);
        o->integer = v;
        return o;
    }
    void push(Object* o) {
        if (++pushes_ > kMaxPushes) fail("the pickle is implausibly long-running");
        stack_.push_back(o);
    }
    Object* pop() {
        if (stack_.empty()) fail("stack underflow (an opcode found too few operands)");
        Object* o = stack_.back();
        stack_.pop_back();
        return o;
    }
    Object* top() {
        if (stack_.empty()) fail("stack underflow (an opcode found no operand)");
        return stack_.back();
    }
    std::vector<Object*> popMark() {
        if (marks_.empty()) fail("an opcode expected a MARK that is not there");
        std::vector<Object*> items = std::move(stack_);
        stack_ = std::move(marks_.back());
        marks_.pop_back();
        return items;
    }
    Object* expect(Object* o, Kind kind, const char* role) {
        if (o->kind != kind)
            fail(std::string(role) + " must be a " + kindName(kind) + ", found a " + kindName(o->kind));
        return o;
    }
    void memoPut(uint64_t index) {
        Object* o = top();
        if (memo_.size() >= kMaxMemo && !memo_.count(index)) fail("the memo is implausibly large");
        memo_[index] = o;
    }
    Object* memoGet(uint64_t index) {
        auto it = memo_.find(index);
        if (it == memo_.end()) fail("memo index " + std::to_string(index) + " was never stored");
        return it->second;
    }
    Object* tuple(std::vector<Object*> items) {
        Object* t = make(Kind::Tuple);
        t->items = std::move(items);
        return t;
    }

    void step(uint8_t op) {
        switch (op) {
            case 0x80: {  // PROTO
                const uint8_t version = u8();
                if (version < 2 || version > 5)
                    fail("unsupported pickle protocol " + std::to_string(version));
                break;
            }
            case 0x95: {  // FRAME: only a hint for buffered readers
                const uint64_t length = uleN(8);
                if (length > data_.size() - pos_) fail("a frame runs past the end of the pickle");
                break;
            }
            case '(':  // MARK
                if (marks_.size() >= kMaxMarkDepth) fail("marks are nested implausibly deep");
                marks_.push_back(std::move(stack_));
                stack_.clear();
                break;
            case '}':
                push(make(Kind::Dict));
                break;
            case ']':
                push(make(Kind::List));
                break;
            case ')':
                push(make(Kind::Tuple));
                break;
            case 't':
                push(tuple(popMark()));
                break;
            case 0x85: {  // TUPLE1
                Object* a = pop();
                push(tuple({a}));
                break;
            }
            case 0x86: {  // TUPLE2
                Object* b = pop();
                Object* a = pop();
                push(tuple({a, b}));
                break;
            }
            case 0x87: {  // TUPLE3
                Object* c = pop();
                Object* b = pop();
                Object* a = pop();
                push(tuple({a, b, c}));
                break;
            }
            case 'J':
                push(makeInt(int32_t(uint32_t(uleN(4)))));
                break;  // BININT
            case 'K':
                push(makeInt(u8()));
                break;  // BININT1
            case 'M':
                push(makeInt(int64_t(uleN(2))));
                break;    // BININT2
            case 0x8a: {  // LONG1
                const uint8_t n = u8();
                if (n > 8) fail("an integer wider than 64 bits");
                uint64_t v = uleN(n);
                if (n > 0 && n < 8 && (v >> (8 * n - 1)) & 1) v |= ~uint64_t(0) << (8 * n);  // sign-extend
                push(makeInt(int64_t(v)));
                break;
            }
            case 'G': {  // BINFLOAT: big-endian IEEE 754 double
                const auto* p = reinterpret_cast<const unsigned char*>(need(8));
                uint64_t bits = 0;
                for (int i = 0; i < 8; ++i) bits = (bits << 8) | p[i];
                Object* o = make(Kind::Float);
                std::memcpy(&o->real, &bits, sizeof bits);
                push(o);
                break;
            }
            case 'N':
                push(&none_);
                break;
            case 0x88:
                push(&true_);
                break;
            case 0x89:
                push(&false_);
                break;
            case 'X':
                pushString(bytes(uleN(4)));
                break;  // BINUNICODE
            case 0x8c:
                pushString(bytes(u8()));
                break;  // SHORT_BINUNICODE
            case 0x8d:
                pushString(bytes(uleN(8)));
                break;  // BINUNICODE8
            case 'q':
                memoPut(u8());
                break;  // BINPUT
            case 'r':
                memoPut(uleN(4));
                break;  // LONG_BINPUT
            case 0x94:
                memoPut(memo_.size());
                break;  // MEMOIZE
            case 'h':
                push(memoGet(u8()));
                break;  // BINGET
            case 'j':
                push(memoGet(uleN(4)));
                break;   // LONG_BINGET
            case 'c': {  // GLOBAL
                std::string module = line();
                std::string name = line();
                push(resolveGlobal(module, name));
                break;
            }
            case 0x93: {  // STACK_GLOBAL
                Object* name = expect(pop(), Kind::String, "a STACK_GLOBAL name");
                Object* module = expect(pop(), Kind::String, "a STACK_GLOBAL module");
                push(resolveGlobal(module->text, name->text));
                break;
            }
            case 'R': {  // REDUCE
                Object* args = expect(pop(), Kind::Tuple, "REDUCE arguments");
                Object* callable = expect(pop(), Kind::Global, "a REDUCE callable");
                push(reduce(*callable, args->items));
                break;
            }
            case 'b': {  // BUILD: only an OrderedDict's attributes (its _metadata), which do not matter here
                pop();
                Object* target = top();
                if (target->kind != Kind::Dict) fail(std::string("BUILD on a ") + kindName(target->kind));
                break;
            }
            case 's': {  // SETITEM
                Object* value = pop();
                Object* key = pop();
                expect(top(), Kind::Dict, "the SETITEM target")->entries.emplace_back(key, value);
                break;
            }
            case 'u': {  // SETITEMS
                std::vector<Object*> items = popMark();
                if (items.size() % 2) fail("SETITEMS with an odd number of items");
                Object* dict = expect(top(), Kind::Dict, "the SETITEMS target");
                for (size_t i = 0; i < items.size(); i += 2)
                    dict->entries.emplace_back(items[i], items[i + 1]);
                break;
            }
            case 'a': {  // APPEND
                Object* value = pop();
                expect(top(), Kind::List, "the APPEND target")->items.push_back(value);
                break;
            }
            case 'e': {  // APPENDS
                std::vector<Object*> items = popMark();
                Object* list = expect(top(), Kind::List, "the APPENDS target");
                list->items.insert(list->items.end(), items.begin(), items.end());
                break;
            }
            case 'Q':
                push(persistentLoad(pop()));
                break;  // BINPERSID
            default: {
                char hex[8];
                std::snprintf(hex, sizeof hex, "0x%02x", op);
                fail(std::string("unsupported pickle opcode ") + hex +
                     " (not part of a PyTorch state dict; the file is damaged or not a state dict)");
            }
        }
    }

    void pushString(std::string_view s) {
        Object* o = make(Kind::String);
        o->text.assign(s);
        push(o);
    }

    Object* resolveGlobal(const std::string& module, const std::string& name) {
        Object* g = make(Kind::Global);
        g->text = module + "." + name;
        static const std::map<std::string, StorageDtype> storages = {
            {"FloatStorage", StorageDtype::Float32},     {"HalfStorage", StorageDtype::Float16},
            {"BFloat16Storage", StorageDtype::BFloat16}, {"DoubleStorage", StorageDtype::Float64},
            {"LongStorage", StorageDtype::Int64},        {"IntStorage", StorageDtype::Int32}};
        if (module == "collections" && name == "OrderedDict") {
            g->global = GlobalId::OrderedDict;
        } else if (module == "torch._utils" && name == "_rebuild_tensor_v2") {
            g->global = GlobalId::RebuildTensorV2;
        } else if (module == "torch._utils" && name == "_rebuild_tensor") {
            g->global = GlobalId::RebuildTensor;
        } else if (module == "torch._utils" && name == "_rebuild_parameter") {
            g->global = GlobalId::RebuildParameter;
        } else if (module == "torch" && storages.count(name)) {
            g->global = GlobalId::StorageType;
            g->dtype = storages.at(name);
        } else {
            fail("forbidden global '" + printable(g->text) +
                 "': a state dict holds only tensors (collections.OrderedDict, "
                 "torch._utils._rebuild_tensor_v2, "
                 "torch.*Storage); this file is not a plain state dict and is refused without running it");
        }
        return g;
    }

    // ('storage', torch.FloatStorage, key, location, numel)
    Object* persistentLoad(Object* pid) {
        expect(pid, Kind::Tuple, "a persistent id");
        const auto& f = pid->items;
        if (f.size() != 5) fail("a persistent id must have 5 fields, found " + std::to_string(f.size()));
        if (f[0]->kind != Kind::String || f[0]->text != "storage")
            fail("a persistent id that is not a storage");
        Object* type = expect(f[1], Kind::Global, "the storage type");
        if (type->global != GlobalId::StorageType) fail("'" + type->text + "' is not a storage type");
        const std::string& key = expect(f[2], Kind::String, "the storage key")->text;
        expect(f[3], Kind::String, "the storage location");
        const int64_t numel = expect(f[4], Kind::Int, "the storage size")->integer;
        if (numel < 0 || uint64_t(numel) > (uint64_t(1) << 60) / elementSize(type->dtype))
            fail("storage '" + printable(key) + "' declares an impossible size " + std::to_string(numel));
        auto [it, inserted] = storages_.emplace(key, std::make_pair(type->dtype, numel));
        if (!inserted && (it->second.first != type->dtype || it->second.second != numel))
            fail("storage '" + printable(key) + "' is declared twice with different types or sizes");
        Object* s = make(Kind::Storage);
        s->tensor = std::make_unique<PickledTensor>();
        s->tensor->storage_key = key;
        s->tensor->dtype = type->dtype;
        s->tensor->storage_numel = numel;
        return s;
    }

    std::vector<int64_t> intTuple(Object* o, const char* role) {
        expect(o, Kind::Tuple, role);
        if (o->items.size() > kMaxDims) fail(std::string(role) + " has implausibly many dimensions");
        std::vector<int64_t> v;
        for (Object* item : o->items) {
            expect(item, Kind::Int, role);
            if (item->integer < 0) fail(std::string(role) + " holds a negative value");
            v.push_back(item->integer);
        }
        return v;
    }

    Object* rebuildTensor(const std::vector<Object*>& args) {
        const PickledTensor& storage = *expect(args[0], Kind::Storage, "the tensor's storage")->tensor;
        const int64_t offset = expect(args[1], Kind::Int, "the storage offset")->integer;
        std::vector<int64_t> sizes = intTuple(args[2], "the tensor size");
        std::vector<int64_t> strides = intTuple(args[3], "the tensor stride");
        if (sizes.size() != strides.size()) fail("the tensor's size and stride have different lengths");
        const std::string where = "a view of storage '" + printable(storage.storage_key) + "'";
        if (offset < 0 || offset > storage.storage_numel) fail(where + " starts outside it");
        int64_t numel = 1;
        for (int64_t s : sizes)
            if (__builtin_mul_overflow(numel, s, &numel))
                fail(where + " has an impossible number of elements");
        if (numel > storage.storage_numel)
            fail(where + " has more elements (" + std::to_string(numel) + ") than the storage (" +
                 std::to_string(storage.storage_numel) + ")");
        if (numel > 0) {
            int64_t last = offset;
            for (size_t d = 0; d < sizes.size(); ++d) {
                int64_t step = 0;
                if (__builtin_mul_overflow(sizes[d] - 1, strides[d], &step) ||
                    __builtin_add_overflow(last, step, &last))
                    fail(where + " reaches an impossible element");
            }
            if (last >= storage.storage_numel) fail(where + " reaches past the end of the storage");
        }
        Object* t = make(Kind::Tensor);
        t->tensor = std::make_unique<PickledTensor>(storage);
        t->tensor->storage_offset = offset;
        t->tensor->sizes = std::move(sizes);
        t->tensor->strides = std::move(strides);
        return t;
    }

    Object* reduce(const Object& callable, const std::vector<Object*>& args) {
        auto arity = [&](size_t lo, size_t hi) {
            if (args.size() < lo || args.size() > hi)
                fail(callable.text + " called with " + std::to_string(args.size()) + " arguments");
        };
        switch (callable.global) {
            case GlobalId::OrderedDict:
                arity(0, 0);
                return make(Kind::Dict);
            // (storage, offset, size, stride, requires_grad, backward_hooks[, metadata]); the last ones
            // only matter for autograd.
            case GlobalId::RebuildTensorV2:
                arity(6, 7);
                return rebuildTensor(args);
            case GlobalId::RebuildTensor:
                arity(4, 4);
                return rebuildTensor(args);
            case GlobalId::RebuildParameter:  // (data, requires_grad, backward_hooks)
                arity(3, 3);
                return expect(args[0], Kind::Tensor, "a parameter's data");
            case GlobalId::StorageType:
                break;
        }
        fail(callable.text + " cannot be called in a state dict");
    }

    PickledStateDict toStateDict(Object* root) {
        if (root->kind != Kind::Dict)
            fail(std::string("the pickle holds a ") + kindName(root->kind) + ", not a state dict");
        PickledStateDict result;
        std::unordered_map<std::string, size_t> index;
        for (const auto& [key, value] : root->entries) {
            if (key->kind != Kind::String)
                fail(std::string("the state dict has a ") + kindName(key->kind) + " key, not a name");
            if (value->kind != Kind::Tensor)
                fail("state dict entry '" + printable(key->text) + "' is a " + kindName(value->kind) +
                     ", not a tensor");
            auto [it, inserted] = index.emplace(key->text, result.size());
            if (inserted)
                result.emplace_back(key->text, *value->tensor);
            else
                result[it->second].second =
                    *value->tensor;  // a repeated key replaces the value, as in Python
        }
        return result;
    }

    std::string_view data_;
    const std::string& what_;
    size_t pos_ = 0;
    size_t opStart_ = 0;
    size_t pushes_ = 0;
    std::deque<Object> arena_;
    Object none_{Kind::None};
    Object true_{Kind::Bool};
    Object false_{Kind::Bool};
    std::vector<Object*> stack_;
    std::vector<std::vector<Object*>> marks_;
    std::unordered_map<uint64_t, Object*> memo_;
    std::map<std::string, std::pair<StorageDtype, int64_t>> storages_;
};

}  // namespace

PickledStateDict unpickleStateDict(std::string_view pickle, const std::string& what) {
    return Unpickler(pickle, what).run();
}

}  // namespace p2p
