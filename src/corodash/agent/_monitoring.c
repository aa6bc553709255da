/* Generator resumes and yields through sys.monitoring (Python 3.12+): GeneratorHooks.
 *
 * A generator's plain next() and a yield of a small value are recorded whole; a yield of
 * another plain value is recorded as its tuple here; every other case goes to the Python
 * callback of tracer_monitoring.py it stands in front of. */
#include "_callbacks.h"

#include <frameobject.h>

/* `clock()`, which is time.perf_counter (CLOCK_MONOTONIC on Linux, read directly: a fifth
 * of a yield's cost otherwise). */
static PyObject *
now(PyObject *clock)
{
#ifdef __linux__
    return PyFloat_FromDouble(recorder_now());
#else
    return PyObject_CallNoArgs(clock);
#endif
}

/* Records a fresh tuple of `n` stolen items; steals them even on failure. */
static int
record(PyObject *recorder, Py_ssize_t n, PyObject **items)
{
    PyObject *event = PyTuple_New(n);
    if (event == NULL) {
        for (Py_ssize_t i = 0; i < n; i++)
            Py_XDECREF(items[i]);
        return -1;
    }
    int failed = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (items[i] == NULL)
            failed = 1;
        PyTuple_SET_ITEM(event, i, items[i]);
    }
    if (failed) {
        Py_DECREF(event);
        return -1;
    }
    return recorder_put_tuple((Recorder *)recorder, event);
}


#define LINES 64

typedef struct {
    PyObject_HEAD
    PyObject *by_frame;     /* dict: id(frame) -> task id */
    PyObject *discarding;   /* dict: id(code) -> frozenset of value-discarding resume offsets */
    PyObject *last_code;    /* the code last looked up there (borrowed, for its address) */
    PyObject *last_offsets; /* and its offsets: entries are never removed, codes kept alive */
    PyObject *buffer;
    PyObject *clock;
    PyObject *gate;
    Py_ssize_t hold_at; /* the offset of the gate's `hold` slot */
    PyObject *cause;        /* ResumeCause: `driven` is set while a drive command runs */
    PyObject *plain_types;  /* frozenset of types whose repr is short and safe */
    PyObject *safe_repr;
    PyObject *resume_fallback;
    PyObject *yield_fallback;
    PyObject *yield_code;
    long long small_int;
    struct {
        PyObject *code;
        long offset;
        int line;
    } lines[LINES]; /* yield sites seen last: traced codes are kept alive, so stay theirs */
} GeneratorHooks;

/* The line of the yield at `offset` in `code` (the frame's): from the sites seen last, else
 * from the code's line table (a scan, a tenth of a yield's cost). */
static int
yield_line(GeneratorHooks *self, PyObject *code, PyObject *offset, PyFrameObject *frame)
{
    long at = PyLong_AsLong(offset);
    if (at == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        return PyFrame_GetLineNumber(frame);
    }
    size_t slot = (((uintptr_t)code >> 4) ^ (size_t)at) % LINES;
    if (self->lines[slot].code != code || self->lines[slot].offset != at) {
        self->lines[slot].code = code;
        self->lines[slot].offset = at;
        self->lines[slot].line = PyFrame_GetLineNumber(frame);
    }
    return self->lines[slot].line;
}

/* The task id of the running generator frame: new reference; NULL with no error when the
 * frame is not a tracked task. */
static PyObject *
running_task(GeneratorHooks *self, PyFrameObject **frame)
{
    *frame = PyEval_GetFrame();
    if (*frame == NULL)
        return NULL;
    return task_of(self->by_frame, *frame);
}

static PyObject *
shown_value(GeneratorHooks *self, PyObject *value)
{
    if (PyLong_CheckExact(value)) {
        int overflow;
        long long number = PyLong_AsLongLongAndOverflow(value, &overflow);
        if (!overflow && -self->small_int < number && number < self->small_int)
            return PyObject_Repr(value);
        if (number == -1 && PyErr_Occurred())
            return NULL;
    }
    int plain = PySet_Contains(self->plain_types, (PyObject *)Py_TYPE(value));
    if (plain < 0)
        return NULL;
    if (plain)
        return PyObject_Repr(value);
    return PyObject_CallOneArg(self->safe_repr, value);
}

/* Records `whole` for task `tid` (stolen) with `b`: record_whole for these hooks. */
static int
whole_record(GeneratorHooks *self, PyObject *tid, Record *whole, int b)
{
    int done = record_whole(self->buffer, self->gate, self->hold_at, tid, whole, b);
    Py_DECREF(tid);
    return done;
}

static PyObject *
yield_body(GeneratorHooks *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3)
        return PyObject_Vectorcall(self->yield_fallback, args, nargs, NULL);
    PyFrameObject *frame;
    PyObject *tid = running_task(self, &frame);
    if (tid == NULL) {
        if (PyErr_Occurred())
            return NULL;
        Py_RETURN_NONE;
    }
    Record whole = {.kind = YIELD_KIND, .form = FORM_BINARY};
    if (recorder_value(args[2], &whole.flag, &whole.a)) {
        /* complete in its record: no Python object is made */
        if (whole_record(self, tid, &whole, yield_line(self, args[0], args[1], frame)) < 0)
            return NULL;
        Py_RETURN_NONE;
    }
    PyObject *items[] = {Py_NewRef(self->yield_code), now(self->clock), tid,
                         shown_value(self, args[2]),
                         PyLong_FromLong(yield_line(self, args[0], args[1], frame))};
    if (record(self->buffer, 5, items) < 0 || after_event(self->gate, self->hold_at) < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* A resume whose sent value the generator discards, outside a drive command: `next()`. */
static int
is_plain_next(GeneratorHooks *self, PyObject *code, PyObject *offset)
{
    if (code != self->last_code) {
        PyObject *offsets = task_of(self->discarding, code);
        if (offsets == NULL)
            return PyErr_Occurred() ? -1 : 0;
        Py_XSETREF(self->last_offsets, offsets);
        self->last_code = code;
    }
    int discarding = PySet_Contains(self->last_offsets, offset);
    if (discarding <= 0)
        return discarding;
    PyObject *driven = PyObject_GetAttr(self->cause, str_driven);
    if (driven == NULL)
        return -1;
    int outside = driven == Py_None;
    Py_DECREF(driven);
    return outside;
}

static PyObject *
resume_body(GeneratorHooks *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2)
        return PyObject_Vectorcall(self->resume_fallback, args, nargs, NULL);
    PyFrameObject *frame;
    PyObject *tid = running_task(self, &frame);
    if (tid == NULL) {
        if (PyErr_Occurred())
            return NULL;
        return PyObject_Vectorcall(self->resume_fallback, args, nargs, NULL);
    }
    int plain = is_plain_next(self, args[0], args[1]);
    if (plain <= 0) {
        Py_DECREF(tid);
        if (plain < 0)
            return NULL;
        return PyObject_Vectorcall(self->resume_fallback, args, nargs, NULL);
    }
    Record whole = {.kind = RESUME_KIND, .form = FORM_BINARY, .flag = VALUE_NONE};
    if (whole_record(self, tid, &whole, 0) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *
on_yield(GeneratorHooks *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *result = tracing_failed ? Py_NewRef(Py_None) : contain(yield_body(self, args, nargs));
    take_safe_stop();
    return result;
}

static PyObject *
on_resume(GeneratorHooks *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *result = tracing_failed ? Py_NewRef(Py_None) : contain(resume_body(self, args, nargs));
    take_safe_stop();
    return result;
}

static PyObject *
generator_hooks_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *names[] = {"by_frame",    "discarding",      "buffer",         "clock",
                            "gate",        "cause",           "plain_types",    "safe_repr",
                            "small_int",   "resume_fallback", "yield_fallback", "yield_code",
                            NULL};
    PyObject *by_frame, *discarding, *buffer, *clock, *gate, *cause, *plain_types, *safe_repr,
        *resume_fallback, *yield_fallback, *yield_code;
    long long small_int;
    if (!PyArg_ParseTupleAndKeywords(
            args, kwds, "O!O!O!OOOO!OLOOO:GeneratorHooks", names, &PyDict_Type, &by_frame,
            &PyDict_Type, &discarding, &RecorderType, &buffer, &clock, &gate, &cause,
            &PyFrozenSet_Type, &plain_types, &safe_repr, &small_int, &resume_fallback,
            &yield_fallback, &yield_code))
        return NULL;
    GeneratorHooks *self = (GeneratorHooks *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->by_frame = Py_NewRef(by_frame);
    self->discarding = Py_NewRef(discarding);
    self->buffer = Py_NewRef(buffer);
    self->clock = Py_NewRef(clock);
    self->gate = Py_NewRef(gate);
    if ((self->hold_at = hold_slot(gate)) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    self->cause = Py_NewRef(cause);
    self->plain_types = Py_NewRef(plain_types);
    self->safe_repr = Py_NewRef(safe_repr);
    self->resume_fallback = Py_NewRef(resume_fallback);
    self->yield_fallback = Py_NewRef(yield_fallback);
    self->yield_code = Py_NewRef(yield_code);
    self->small_int = small_int;
    return (PyObject *)self;
}

static int
generator_hooks_traverse(GeneratorHooks *self, visitproc visit, void *arg)
{
    Py_VISIT(self->by_frame);
    Py_VISIT(self->discarding);
    Py_VISIT(self->last_offsets);
    Py_VISIT(self->buffer);
    Py_VISIT(self->clock);
    Py_VISIT(self->gate);
    Py_VISIT(self->cause);
    Py_VISIT(self->plain_types);
    Py_VISIT(self->safe_repr);
    Py_VISIT(self->resume_fallback);
    Py_VISIT(self->yield_fallback);
    Py_VISIT(self->yield_code);
    return 0;
}

static int
generator_hooks_clear(GeneratorHooks *self)
{
    Py_CLEAR(self->by_frame);
    Py_CLEAR(self->discarding);
    Py_CLEAR(self->last_offsets);
    Py_CLEAR(self->buffer);
    Py_CLEAR(self->clock);
    Py_CLEAR(self->gate);
    Py_CLEAR(self->cause);
    Py_CLEAR(self->plain_types);
    Py_CLEAR(self->safe_repr);
    Py_CLEAR(self->resume_fallback);
    Py_CLEAR(self->yield_fallback);
    Py_CLEAR(self->yield_code);
    return 0;
}

static void
generator_hooks_dealloc(GeneratorHooks *self)
{
    PyObject_GC_UnTrack(self);
    generator_hooks_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef generator_hooks_methods[] = {
    {"on_yield", (PyCFunction)(void (*)(void))on_yield, METH_FASTCALL,
     "PY_YIELD callback: records the yield of a tracked generator."},
    {"on_resume", (PyCFunction)(void (*)(void))on_resume, METH_FASTCALL,
     "PY_RESUME callback: records a plain next() of a tracked generator, hands every other "
     "resume to its fallback."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject GeneratorHooksType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "corodash.agent._speedups.GeneratorHooks",
    .tp_doc = "sys.monitoring callbacks for the common generator events.",
    .tp_basicsize = sizeof(GeneratorHooks),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_new = generator_hooks_new,
    .tp_traverse = (traverseproc)generator_hooks_traverse,
    .tp_clear = (inquiry)generator_hooks_clear,
    .tp_dealloc = (destructor)generator_hooks_dealloc,
    .tp_methods = generator_hooks_methods,
};


int
monitoring_init_module(PyObject *module)
{
    if (PyType_Ready(&GeneratorHooksType) < 0)
        return -1;
    return PyModule_AddObjectRef(module, "GeneratorHooks", (PyObject *)&GeneratorHooksType);
}
