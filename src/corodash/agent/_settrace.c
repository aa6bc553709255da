/* Generator events through a C trace function (Python 3.11).
 *
 * sys.settrace calls a Python function at every call of every Python function, after
 * copying the frame's locals into a dict. Installed with PyEval_SetTrace instead, this
 * function sees each event in C: a call of code corodash does not trace returns at once, a
 * generator resumed by a `for` loop and its yield of a small value are recorded whole, and
 * every other case goes, unchanged, to the Python trace functions of tracer_settrace.py,
 * whose frames' local trace functions are kept in `f_trace` as sys.settrace keeps them. Both
 * ways record the same events (the tests compare them). */
#include "_callbacks.h"

#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030C0000

#define Py_BUILD_CORE 1
#include <internal/pycore_frame.h>
#undef Py_BUILD_CORE
#include <opcode.h>

enum { NOT_TRACED = 0, GENERATOR = 1, TRACED = 2 }; /* tracer_settrace.classify's answers */

#define SEEN 256 /* codes classified last, by address (the codes are kept alive) */

typedef struct {
    PyObject_HEAD
    PyObject *classify; /* code -> NOT_TRACED, GENERATOR or TRACED; keeps the code alive */
    PyObject *classes;  /* dict: id(code) -> its class */
    PyObject *on_call;       /* the Python global trace function (guarded) */
    PyObject *generator_local; /* the Python local trace function of generator frames */
    PyObject *by_frame;      /* dict: id(frame) -> task id */
    PyObject *pending;       /* tuple of the Python side's per-frame tables */
    PyObject *line_codes;    /* dict: codes with a line breakpoint (their calls: Python) */
    PyObject *buffer;
    PyObject *gate;
    Py_ssize_t hold_at; /* the offset of the gate's `hold` slot */
    PyObject *cause;
    struct {
        PyCodeObject *code;
        int kind;
    } seen[SEEN];
} SettraceHooks;

static PyObject *what_names[8];

/* The class of `code`: from the last codes seen, the table, or the Python side. */
static int
code_class(SettraceHooks *self, PyCodeObject *code)
{
    size_t slot = ((uintptr_t)code >> 4) % SEEN;
    if (self->seen[slot].code == code)
        return self->seen[slot].kind;
    PyObject *known = task_of(self->classes, code);
    if (known == NULL) {
        if (PyErr_Occurred())
            return -1;
        known = PyObject_CallOneArg(self->classify, (PyObject *)code);
        PyObject *key = known != NULL ? PyLong_FromVoidPtr(code) : NULL;
        int failed = key == NULL || PyDict_SetItem(self->classes, key, known) < 0;
        Py_XDECREF(key);
        if (failed) {
            Py_XDECREF(known);
            return -1;
        }
    }
    int kind = (int)PyLong_AsLong(known);
    Py_DECREF(known);
    if (kind == -1 && PyErr_Occurred())
        return -1;
    self->seen[slot].code = code;
    self->seen[slot].kind = kind;
    return kind;
}

/* What sys.settrace's trampoline does: call `callback`, keep what it returns as the frame's
 * local trace function. */
static int
call_python(PyObject *callback, PyFrameObject *frame, int what, PyObject *arg)
{
    PyObject *args[] = {(PyObject *)frame, what_names[what], arg != NULL ? arg : Py_None};
    PyObject *result = contain(PyObject_Vectorcall(callback, args, 3, NULL));
    if (result == NULL) {
        PyEval_SetTrace(NULL, NULL);
        Py_CLEAR(frame->f_trace);
        return -1;
    }
    if (result != Py_None)
        Py_XSETREF(frame->f_trace, result);
    else
        Py_DECREF(result);
    return 0;
}

/* The opcode a frame is executing (3.11 does not specialise FOR_ITER or YIELD_VALUE). */
static int
current_opcode(_PyInterpreterFrame *frame)
{
    return _Py_OPCODE(*frame->prev_instr);
}

/* Whether any of the Python side's per-frame tables holds `key`: that frame's event is
 * theirs to record. */
static int
pending_for(SettraceHooks *self, PyObject *key)
{
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(self->pending); i++) {
        PyObject *table = PyTuple_GET_ITEM(self->pending, i);
        if ((PyDict_Check(table) ? PyDict_GET_SIZE(table) : PySet_GET_SIZE(table)) == 0)
            continue;
        int has = PySequence_Contains(table, key);
        if (has != 0)
            return has;
    }
    return 0;
}

/* A known generator resumed by a `for` loop outside a drive command: 1 when recorded, 0
 * when it is not that case, -1 on error. */
static int
plain_resume(SettraceHooks *self, PyFrameObject *frame)
{
    _PyInterpreterFrame *caller = frame->f_frame->previous;
    if (caller == NULL || current_opcode(caller) != FOR_ITER)
        return 0;
    PyObject *driven = PyObject_GetAttr(self->cause, str_driven);
    if (driven == NULL)
        return -1;
    Py_DECREF(driven);
    if (driven != Py_None)
        return 0;
    PyObject *tid = task_of(self->by_frame, frame);
    if (tid == NULL)
        return PyErr_Occurred() ? -1 : 0;
    frame->f_trace_lines = 0;
    Py_XSETREF(frame->f_trace, Py_NewRef(self->generator_local));
    Record whole = {.kind = RESUME_KIND, .form = FORM_BINARY, .flag = VALUE_NONE};
    int done = record_whole(self->buffer, self->gate, self->hold_at, tid, &whole, 0);
    Py_DECREF(tid);
    return done < 0 ? -1 : 1;
}

/* A generator's yield of a value a record holds, with nothing pending for its frame: 1 when
 * recorded, 0 when it is not that case, -1 on error. */
static int
plain_yield(SettraceHooks *self, PyFrameObject *frame, PyObject *value)
{
    if (value == NULL || current_opcode(frame->f_frame) != YIELD_VALUE)
        return 0;
    Record whole = {.kind = YIELD_KIND, .form = FORM_BINARY};
    if (!recorder_value(value, &whole.flag, &whole.a))
        return 0;
    PyObject *key = PyLong_FromVoidPtr(frame);
    if (key == NULL)
        return -1;
    int pending = pending_for(self, key);
    PyObject *tid = pending ? NULL : PyDict_GetItemWithError(self->by_frame, key);
    Py_DECREF(key);
    if (tid == NULL)
        return pending < 0 || PyErr_Occurred() ? -1 : 0;
    int line = PyFrame_GetLineNumber(frame);
    if (record_whole(self->buffer, self->gate, self->hold_at, tid, &whole, line) < 0)
        return -1;
    return 1;
}

/* A fast path's outcome, its failure kept as the tracer's (contain): then it counts as
 * done, and -1 is left only for what must reach the program. */
static int
kept(int done)
{
    if (done >= 0)
        return done;
    PyObject *none = contain(NULL);
    if (none == NULL)
        return -1;
    Py_DECREF(none);
    return 1;
}

/* A call: nothing for code corodash does not trace; a generator's plain resume here; the
 * rest (and every call while a line breakpoint is set) to the Python trace function. */
static int
on_call(SettraceHooks *self, PyFrameObject *frame)
{
    if (PyDict_GET_SIZE(self->line_codes) == 0) {
        int kind = code_class(self, frame->f_frame->f_code);
        if (kind == NOT_TRACED)
            return 0;
        int done = kept(kind < 0 ? -1 : kind == GENERATOR ? plain_resume(self, frame) : 0);
        if (done != 0)
            return done < 0 ? -1 : 0;
    }
    return call_python(self->on_call, frame, PyTrace_CALL, NULL);
}

static int
trace(PyObject *obj, PyFrameObject *frame, int what, PyObject *arg)
{
    if (tracing_failed)
        return 0;
    SettraceHooks *self = (SettraceHooks *)obj;
    int failed = 0;
    if (what == PyTrace_CALL)
        failed = on_call(self, frame) < 0;
    else if (frame->f_trace != NULL) {
        int done = 0;
        if (what == PyTrace_RETURN && frame->f_trace == self->generator_local)
            done = kept(plain_yield(self, frame, arg));
        if (done == 0)
            failed = call_python(frame->f_trace, frame, what, arg) < 0;
        else
            failed = done < 0;
    }
    take_safe_stop();
    return failed ? -1 : 0;
}

/* sys.gettrace() gives this object: a program that sets it back with sys.settrace gets the
 * Python global trace function's behaviour. */
static PyObject *
hooks_call(SettraceHooks *self, PyObject *args, PyObject *kwds)
{
    return PyObject_Call(self->on_call, args, kwds);
}

static PyObject *
hooks_install(SettraceHooks *self, PyObject *unused)
{
    PyEval_SetTrace(trace, (PyObject *)self);
    Py_RETURN_NONE;
}

static PyObject *
hooks_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *names[] = {"classify", "on_call", "generator_local", "by_frame", "pending",
                            "line_codes", "buffer", "gate", "cause", NULL};
    PyObject *classify, *on_call_, *generator_local, *by_frame, *pending, *line_codes, *buffer,
        *gate, *cause;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOOO!O!O!O!OO:SettraceHooks", names,
                                     &classify, &on_call_, &generator_local, &PyDict_Type,
                                     &by_frame, &PyTuple_Type, &pending, &PyDict_Type,
                                     &line_codes, &RecorderType, &buffer, &gate, &cause))
        return NULL;
    SettraceHooks *self = (SettraceHooks *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    if ((self->classes = PyDict_New()) == NULL) {
        Py_DECREF(self);
        return NULL;
    }
    self->classify = Py_NewRef(classify);
    self->on_call = Py_NewRef(on_call_);
    self->generator_local = Py_NewRef(generator_local);
    self->by_frame = Py_NewRef(by_frame);
    self->pending = Py_NewRef(pending);
    self->line_codes = Py_NewRef(line_codes);
    self->buffer = Py_NewRef(buffer);
    self->gate = Py_NewRef(gate);
    if ((self->hold_at = hold_slot(gate)) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    self->cause = Py_NewRef(cause);
    return (PyObject *)self;
}

static int
hooks_traverse(SettraceHooks *self, visitproc visit, void *arg)
{
    Py_VISIT(self->classify);
    Py_VISIT(self->classes);
    Py_VISIT(self->on_call);
    Py_VISIT(self->generator_local);
    Py_VISIT(self->by_frame);
    Py_VISIT(self->pending);
    Py_VISIT(self->line_codes);
    Py_VISIT(self->buffer);
    Py_VISIT(self->gate);
    Py_VISIT(self->cause);
    return 0;
}

static int
hooks_clear(SettraceHooks *self)
{
    Py_CLEAR(self->classify);
    Py_CLEAR(self->classes);
    Py_CLEAR(self->on_call);
    Py_CLEAR(self->generator_local);
    Py_CLEAR(self->by_frame);
    Py_CLEAR(self->pending);
    Py_CLEAR(self->line_codes);
    Py_CLEAR(self->buffer);
    Py_CLEAR(self->gate);
    Py_CLEAR(self->cause);
    return 0;
}

static void
hooks_dealloc(SettraceHooks *self)
{
    PyObject_GC_UnTrack(self);
    hooks_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef hooks_methods[] = {
    {"install", (PyCFunction)hooks_install, METH_NOARGS,
     "Make this the calling thread's trace function (sys.settrace's place)."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject SettraceHooksType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "corodash.agent._speedups.SettraceHooks",
    .tp_doc = "Python 3.11's generator events in a C trace function (tracer_settrace.py).",
    .tp_basicsize = sizeof(SettraceHooks),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_new = hooks_new,
    .tp_call = (ternaryfunc)hooks_call,
    .tp_traverse = (traverseproc)hooks_traverse,
    .tp_clear = (inquiry)hooks_clear,
    .tp_dealloc = (destructor)hooks_dealloc,
    .tp_methods = hooks_methods,
};

int
settrace_init_module(PyObject *module)
{
    static const char *whats[] = {"call",   "exception", "line",     "return",
                                  "c_call", "c_exception", "c_return", "opcode"};
    for (int i = 0; i < 8; i++)
        if ((what_names[i] = PyUnicode_InternFromString(whats[i])) == NULL)
            return -1;
    if (PyType_Ready(&SettraceHooksType) < 0)
        return -1;
    return PyModule_AddObjectRef(module, "SettraceHooks", (PyObject *)&SettraceHooksType);
}

#else /* Python 3.12+ traces generators with sys.monitoring (GeneratorHooks) */

int
settrace_init_module(PyObject *module)
{
    return 0;
}

#endif
