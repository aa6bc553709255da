/* Compiled fast paths for the agent's hottest tracer callbacks.
 *
 * A Python callback costs a frame and its bytecode on every greenlet switch and every
 * generator resume and yield: most of what tracing adds to such a program. Each fast path
 * here does only the common case (a known task, a plain value) and hands every other case,
 * arguments unchanged, to the Python callback it stands in front of, so that both record
 * exactly the same events. Optional: corodash/agent/accelerator.py falls back to the Python
 * callbacks alone when this module is not built.
 */
#include "_callbacks.h"
#include "_output.h"

#include <frameobject.h>
#include <signal.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <stddef.h>
#include <string.h>

static PyObject *str_dead, *str_hold, *str_event;
PyObject *str_driven;

/* ---- shared helpers --------------------------------------------------------------- */

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

/* The task id registered under id(obj) in `table`: a new reference, NULL when there is none
 * (with no error set) or on error. */
PyObject *
task_of(PyObject *table, void *address)
{
    PyObject *key = PyLong_FromVoidPtr(address);
    if (key == NULL)
        return NULL;
    PyObject *tid = PyDict_GetItemWithError(table, key);
    Py_DECREF(key);
    Py_XINCREF(tid);
    return tid;
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

/* What every tracer does after recording: `if gate.hold: gate.event()`. */
int
after_event(PyObject *gate)
{
    PyObject *hold = PyObject_GetAttr(gate, str_hold);
    if (hold == NULL)
        return -1;
    int on = PyObject_IsTrue(hold);
    Py_DECREF(hold);
    if (on <= 0)
        return on;
    PyObject *done = PyObject_CallMethodNoArgs(gate, str_event);
    Py_XDECREF(done);
    return done == NULL ? -1 : 0;
}

/* ---- safe stops -------------------------------------------------------------------
 *
 * A step must not stop inside a tracer callback: Python tracing is off there and the
 * generator that just yielded still counts as executing, so nothing could be driven. The
 * gate asks for a stop with `want_safe_stop()`; every compiled callback, and every Python
 * callback behind a `Guard`, then raises the stop signal on its way out, after its last
 * bytecode, and the interpreter runs the stop's Python handler at its next safe point on
 * the main thread, where user code may run traced. */

static int stop_signal = 0;
static int stop_wanted = 0;

void
take_safe_stop(void)
{
    if (stop_wanted && stop_signal > 0) {
        stop_wanted = 0;
        pthread_kill(pthread_self(), stop_signal);
    }
}

static PyObject *
want_safe_stop(PyObject *module, PyObject *unused)
{
    stop_wanted = 1;
    Py_RETURN_NONE;
}

static PyObject *
set_stop_signal(PyObject *module, PyObject *arg)
{
    int number = PyLong_AsLong(arg);
    if (number == -1 && PyErr_Occurred())
        return NULL;
    stop_signal = number;
    Py_RETURN_NONE;
}

/* True inside a tracer callback (the thread's tracing depth is above zero). */
static PyObject *
in_callback(PyObject *module, PyObject *unused)
{
    return PyBool_FromLong(PyThreadState_Get()->tracing > 0);
}

/* ---- failures ----------------------------------------------------------------------
 *
 * A tracer's own error must never reach the program: raised from a callback it would come
 * out of the user's code (a RecursionError deep in nested generators became a
 * ctypes.ArgumentError the program could not catch). Every callback's result goes through
 * `contain`: the first error is kept for the agent to record, tracing stops (every callback
 * returns at once from then on) and the program goes on. KeyboardInterrupt and SystemExit
 * are the program's and pass. */

int tracing_failed = 0;
static PyObject *failure = NULL;

PyObject *
contain(PyObject *result)
{
    if (result != NULL)
        return result;
    if (!PyErr_Occurred())
        Py_RETURN_NONE;
    if (!PyErr_ExceptionMatches(PyExc_Exception))
        return NULL;
    if (tracing_failed) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    tracing_failed = 1;
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (value != NULL && tb != NULL)
        PyException_SetTraceback(value, tb);
    failure = value != NULL ? value : Py_NewRef(Py_None);
    Py_XDECREF(type);
    Py_XDECREF(tb);
    Py_RETURN_NONE;
}

static PyObject *
take_failure(PyObject *module, PyObject *unused)
{
    PyObject *taken = failure != NULL ? failure : Py_NewRef(Py_None);
    failure = NULL;
    return taken;
}

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *callback;
} Guard;

static PyObject *
guard_call(PyObject *op, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    PyObject *result = tracing_failed ? Py_NewRef(Py_None)
                                      : contain(PyObject_Vectorcall(((Guard *)op)->callback,
                                                                    args, nargsf, kwnames));
    take_safe_stop();
    return result;
}

static PyObject *
guard_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *callback;
    if (!PyArg_ParseTuple(args, "O:Guard", &callback))
        return NULL;
    Guard *self = (Guard *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->vectorcall = guard_call;
    self->callback = Py_NewRef(callback);
    return (PyObject *)self;
}

static int
guard_traverse(Guard *self, visitproc visit, void *arg)
{
    Py_VISIT(self->callback);
    return 0;
}

static int
guard_clear(Guard *self)
{
    Py_CLEAR(self->callback);
    return 0;
}

static void
guard_dealloc(Guard *self)
{
    PyObject_GC_UnTrack(self);
    guard_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyTypeObject GuardType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "corodash.agent._speedups.Guard",
    .tp_doc = "Calls a Python tracer callback, then takes a safe stop the gate asked for.",
    .tp_basicsize = sizeof(Guard),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_vectorcall_offset = offsetof(Guard, vectorcall),
    .tp_call = PyVectorcall_Call,
    .tp_new = guard_new,
    .tp_traverse = (traverseproc)guard_traverse,
    .tp_clear = (inquiry)guard_clear,
    .tp_dealloc = (destructor)guard_dealloc,
};

/* ---- greenlet switches ------------------------------------------------------------ */

/* The few greenlets switched between most recently, with their task ids: a switch-heavy
 * program goes back and forth between a handful, and a dict lookup costs a new int per
 * address. Every change to the registry's table bumps `addresses_changed` (an address may
 * be reused by a new greenlet once the old one is gone), which empties the cache. */
#define KNOWN 4
typedef struct {
    void *address;
    uint32_t task;
} Known;

static unsigned long addresses_changed = 0;

/* greenlet's C API (its `_C_API` capsule, greenlet 1.0 and later): whether a greenlet has
 * started and whether it is active, without an attribute lookup per switch. A greenlet is
 * `dead` when it has started and is no longer active. NULL when the capsule is missing. */
typedef int (*greenlet_state)(PyObject *);
static greenlet_state greenlet_started = NULL, greenlet_active = NULL;
#define GREENLET_STARTED_NUM 9
#define GREENLET_ACTIVE_NUM 10

static void
load_greenlet_api(void)
{
    void **api = (void **)PyCapsule_Import("greenlet._C_API", 0);
    if (api == NULL) {
        PyErr_Clear();
        return;
    }
    greenlet_started = (greenlet_state)api[GREENLET_STARTED_NUM];
    greenlet_active = (greenlet_state)api[GREENLET_ACTIVE_NUM];
}

/* `glet.dead`: 1, 0, or -1 on error. */
static int
is_dead(PyObject *glet)
{
    if (greenlet_active != NULL)
        return greenlet_started(glet) && !greenlet_active(glet);
    PyObject *dead = PyObject_GetAttr(glet, str_dead);
    if (dead == NULL)
        return -1;
    int answer = PyObject_IsTrue(dead);
    Py_DECREF(dead);
    return answer;
}

static PyObject *
table_changed(PyObject *module, PyObject *unused)
{
    addresses_changed++;
    Py_RETURN_NONE;
}

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    Known known[KNOWN];
    int next_known;
    unsigned long seen_changes;
    PyObject *by_address; /* dict: id(greenlet) -> task id */
    PyObject *buffer;     /* the channel's Recorder */
    PyObject *gate;
    PyObject *fallback; /* the Python callback: first sight, a finished origin */
    PyObject *previous; /* the greenlet tracer this one replaced, or None */
} SwitchHook;

/* The task id of greenlet `glet`: 1 when found, 0 when it is not a task, -1 on error. */
static int
known_task(SwitchHook *self, PyObject *glet, uint32_t *task)
{
    if (self->seen_changes != addresses_changed) {
        memset(self->known, 0, sizeof(self->known));
        self->seen_changes = addresses_changed;
    }
    for (int i = 0; i < KNOWN; i++) {
        if (self->known[i].address == glet) {
            *task = self->known[i].task;
            return 1;
        }
    }
    PyObject *tid = task_of(self->by_address, glet);
    if (tid == NULL)
        return PyErr_Occurred() ? -1 : 0;
    unsigned long value = PyLong_AsUnsignedLong(tid);
    Py_DECREF(tid);
    if (value == (unsigned long)-1 && PyErr_Occurred())
        return -1;
    self->known[self->next_known] = (Known){glet, (uint32_t)value};
    self->next_known = (self->next_known + 1) % KNOWN;
    *task = (uint32_t)value;
    return 1;
}

/* The fast path's part of a switch: 0 when recorded, 1 when it is not the common case,
 * -1 on error. */
static int
record_switch(SwitchHook *self, PyObject *event, PyObject *origin, PyObject *target)
{
    Record entry = {.kind = SWITCH_KIND, .form = FORM_BINARY};
    int found = known_task(self, origin, &entry.a);
    if (found == 1)
        found = known_task(self, target, &entry.task);
    if (found != 1)
        return found < 0 ? -1 : 1;
    int dead = is_dead(origin);
    if (dead != 0)
        return dead < 0 ? -1 : 1;
    /* complete in its record: no Python object is made */
    entry.t = recorder_now();
    entry.flag = PyUnicode_Check(event) && PyUnicode_CompareWithASCIIString(event, "throw") == 0;
    if (recorder_put((Recorder *)self->buffer, &entry) < 0)
        return -1;
    return after_event(self->gate);
}

static PyObject *switch_hook_body(PyObject *op, PyObject *const *args, size_t nargsf,
                                  PyObject *kwnames);

static PyObject *
switch_hook_call(PyObject *op, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    SwitchHook *self = (SwitchHook *)op;
    PyObject *result;
    if (!tracing_failed)
        result = contain(switch_hook_body(op, args, nargsf, kwnames));
    else if (self->previous != Py_None)
        result = PyObject_Vectorcall(self->previous, args, nargsf, kwnames);
    else
        result = Py_NewRef(Py_None);
    take_safe_stop();
    return result;
}

static PyObject *
switch_hook_body(PyObject *op, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    SwitchHook *self = (SwitchHook *)op;
    if (PyVectorcall_NARGS(nargsf) != 2 || kwnames != NULL || !PyTuple_CheckExact(args[1]) ||
        PyTuple_GET_SIZE(args[1]) != 2)
        return PyObject_Vectorcall(self->fallback, args, nargsf, kwnames);
    PyObject *pair = args[1];
    int common = record_switch(self, args[0], PyTuple_GET_ITEM(pair, 0),
                               PyTuple_GET_ITEM(pair, 1));
    if (common == 1)
        return PyObject_Vectorcall(self->fallback, args, nargsf, kwnames);
    if (common < 0)
        return NULL;
    if (self->previous != Py_None)
        return PyObject_Vectorcall(self->previous, args, nargsf, kwnames);
    Py_RETURN_NONE;
}

static PyObject *
switch_hook_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *names[] = {"by_address", "buffer", "gate", "fallback", "previous", NULL};
    PyObject *by_address, *buffer, *gate, *fallback, *previous;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!O!OOO:SwitchHook", names, &PyDict_Type,
                                     &by_address, &RecorderType, &buffer, &gate, &fallback,
                                     &previous))
        return NULL;
    SwitchHook *self = (SwitchHook *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    if (greenlet_active == NULL)
        load_greenlet_api();
    self->vectorcall = switch_hook_call;
    self->by_address = Py_NewRef(by_address);
    self->buffer = Py_NewRef(buffer);
    self->gate = Py_NewRef(gate);
    self->fallback = Py_NewRef(fallback);
    self->previous = Py_NewRef(previous);
    return (PyObject *)self;
}

static int
switch_hook_traverse(SwitchHook *self, visitproc visit, void *arg)
{
    Py_VISIT(self->by_address);
    Py_VISIT(self->buffer);
    Py_VISIT(self->gate);
    Py_VISIT(self->fallback);
    Py_VISIT(self->previous);
    return 0;
}

static int
switch_hook_clear(SwitchHook *self)
{
    Py_CLEAR(self->by_address);
    Py_CLEAR(self->buffer);
    Py_CLEAR(self->gate);
    Py_CLEAR(self->fallback);
    Py_CLEAR(self->previous);
    return 0;
}

static void
switch_hook_dealloc(SwitchHook *self)
{
    PyObject_GC_UnTrack(self);
    switch_hook_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyTypeObject SwitchHookType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "corodash.agent._speedups.SwitchHook",
    .tp_doc = "greenlet.settrace callback: records a switch between known greenlets, hands "
              "everything else to its fallback.",
    .tp_basicsize = sizeof(SwitchHook),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_vectorcall_offset = offsetof(SwitchHook, vectorcall),
    .tp_call = PyVectorcall_Call,
    .tp_new = switch_hook_new,
    .tp_traverse = (traverseproc)switch_hook_traverse,
    .tp_clear = (inquiry)switch_hook_clear,
    .tp_dealloc = (destructor)switch_hook_dealloc,
};

/* ---- generator resumes and yields (sys.monitoring) -------------------------------- */

typedef struct {
    PyObject_HEAD
    PyObject *by_frame;     /* dict: id(frame) -> task id */
    PyObject *discarding;   /* dict: id(code) -> frozenset of value-discarding resume offsets */
    PyObject *last_code;    /* the code last looked up there (borrowed, for its address) */
    PyObject *last_offsets; /* and its offsets: entries are never removed, codes kept alive */
    PyObject *buffer;
    PyObject *clock;
    PyObject *gate;
    PyObject *cause;        /* ResumeCause: `driven` is set while a drive command runs */
    PyObject *plain_types;  /* frozenset of types whose repr is short and safe */
    PyObject *safe_repr;
    PyObject *resume_fallback;
    PyObject *yield_fallback;
    PyObject *yield_code;
    long long small_int;
} GeneratorHooks;

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

/* Records `whole` for task `tid` (stolen) with `b` and the time now, then the gate. */
static int
whole_record(GeneratorHooks *self, PyObject *tid, Record *whole, int b)
{
    unsigned long task = PyLong_AsUnsignedLong(tid);
    Py_DECREF(tid);
    if (task == (unsigned long)-1 && PyErr_Occurred())
        return -1;
    whole->task = (uint32_t)task;
    whole->b = (uint32_t)b;
    whole->t = recorder_now();
    if (recorder_put((Recorder *)self->buffer, whole) < 0)
        return -1;
    return after_event(self->gate);
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
        if (whole_record(self, tid, &whole, PyFrame_GetLineNumber(frame)) < 0)
            return NULL;
        Py_RETURN_NONE;
    }
    PyObject *items[] = {Py_NewRef(self->yield_code), now(self->clock), tid,
                         shown_value(self, args[2]),
                         PyLong_FromLong(PyFrame_GetLineNumber(frame))};
    if (record(self->buffer, 5, items) < 0 || after_event(self->gate) < 0)
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

/* ---- module ------------------------------------------------------------------------ */

/* Linux kills this process when the thread that started it exits (the controller): True,
 * or False where the request does not exist. What ctypes would do, without its import. */
static PyObject *
die_with_parent(PyObject *module, PyObject *unused)
{
#ifdef __linux__
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) == 0)
        Py_RETURN_TRUE;
#endif
    Py_RETURN_FALSE;
}

static PyMethodDef module_methods[] = {
    {"want_safe_stop", want_safe_stop, METH_NOARGS,
     "Raise the stop signal when the current tracer callback returns."},
    {"set_stop_signal", set_stop_signal, METH_O, "The signal whose handler takes a safe stop."},
    {"in_callback", in_callback, METH_NOARGS, "True inside a tracer callback."},
    {"table_changed", table_changed, METH_NOARGS,
     "The registry changed its address table: switch hooks look addresses up afresh."},
    {"die_with_parent", die_with_parent, METH_NOARGS,
     "Ask Linux to kill this process when its parent goes; False where it cannot."},
    {"take_failure", take_failure, METH_NOARGS,
     "The first error a callback raised (tracing stopped then), once; else None."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef speedups_module = {
    PyModuleDef_HEAD_INIT,
    .m_methods = module_methods,
    .m_name = "corodash.agent._speedups",
    .m_doc = "Compiled fast paths for the agent's tracer callbacks.",
    .m_size = -1,
};

#define INTERN(var, text)                                                                  \
    if ((var = PyUnicode_InternFromString(text)) == NULL)                                  \
        return NULL;

PyMODINIT_FUNC
PyInit__speedups(void)
{
    INTERN(str_dead, "dead");
    INTERN(str_hold, "hold");
    INTERN(str_event, "event");
    INTERN(str_driven, "driven");
    if (PyType_Ready(&SwitchHookType) < 0 || PyType_Ready(&GeneratorHooksType) < 0 ||
        PyType_Ready(&GuardType) < 0)
        return NULL;
    PyObject *module = PyModule_Create(&speedups_module);
    if (module == NULL)
        return NULL;
    if (PyModule_AddObjectRef(module, "SwitchHook", (PyObject *)&SwitchHookType) < 0 ||
        PyModule_AddObjectRef(module, "GeneratorHooks", (PyObject *)&GeneratorHooksType) < 0 ||
        PyModule_AddObjectRef(module, "Guard", (PyObject *)&GuardType) < 0 ||
        recorder_init_module(module) < 0 || jsonl_init_module(module) < 0 ||
        chrome_init_module(module) < 0 || settrace_init_module(module) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
