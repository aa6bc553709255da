/* Compiled fast paths for the agent's hottest tracer callbacks: the module, and what they
 * share (the gate's check, safe stops, the containment of their own errors, Guard).
 *
 * A Python callback costs a frame and its bytecode on every greenlet switch and every
 * generator resume and yield: most of what tracing adds to such a program. Each fast path
 * (_greenlet.c, _monitoring.c, _settrace.c) does only the common case (a known task, a
 * plain value) and hands every other case, arguments unchanged, to the Python callback it
 * stands in front of, so that both record exactly the same events. Optional:
 * corodash/agent/accelerator.py falls back to the Python callbacks alone when this module
 * is not built.
 */
#include "_callbacks.h"
#include "_output.h"

#include <signal.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <stddef.h>
#ifndef Py_T_OBJECT_EX /* before Python 3.12 */
#include <structmember.h>
#define Py_T_OBJECT_EX T_OBJECT_EX
#endif

static PyObject *str_event;
PyObject *str_driven;

/* ---- shared helpers --------------------------------------------------------------- */

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

/* Completes `whole` for task `tid` (borrowed) with `b` and the time now, puts it in the
 * recorder `buffer`, then the gate's check. */
int
record_whole(PyObject *buffer, PyObject *gate, Py_ssize_t hold_at, PyObject *tid,
             Record *whole, uint32_t b)
{
    unsigned long task = PyLong_AsUnsignedLong(tid);
    if (task == (unsigned long)-1 && PyErr_Occurred())
        return -1;
    whole->task = (uint32_t)task;
    whole->b = b;
    whole->ticks = recorder_ticks();
    if (recorder_put((Recorder *)buffer, whole) < 0)
        return -1;
    return after_event(gate, hold_at);
}

Py_ssize_t
slot_offset(PyTypeObject *type, const char *name)
{
    PyObject *descriptor = PyObject_GetAttrString((PyObject *)type, name);
    if (descriptor == NULL)
        return -1;
    Py_ssize_t offset = -1;
    if (Py_IS_TYPE(descriptor, &PyMemberDescr_Type)) {
        PyMemberDef *member = ((PyMemberDescrObject *)descriptor)->d_member;
        if (member->type == Py_T_OBJECT_EX)
            offset = member->offset;
    }
    Py_DECREF(descriptor);
    if (offset < 0)
        PyErr_Format(PyExc_TypeError, "%s keeps `%s` in a slot (__slots__)", type->tp_name,
                     name);
    return offset;
}

Py_ssize_t
hold_slot(PyObject *gate)
{
    return slot_offset(Py_TYPE(gate), "hold");
}

/* What every tracer does after recording: `if gate.hold: gate.event()`. `hold` is read from
 * its slot: a lookup in the gate's __dict__ cost as much as the rest of the hook. */
int
after_event(PyObject *gate, Py_ssize_t hold_at)
{
    PyObject *hold = *(PyObject **)((char *)gate + hold_at);
    if (hold == Py_False)
        return 0;
    if (hold == NULL) {
        PyErr_SetString(PyExc_AttributeError, "the gate has no `hold`");
        return -1;
    }
    int on = PyObject_IsTrue(hold);
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
    INTERN(str_event, "event");
    INTERN(str_driven, "driven");
    if (PyType_Ready(&GuardType) < 0)
        return NULL;
    PyObject *module = PyModule_Create(&speedups_module);
    if (module == NULL)
        return NULL;
    if (PyModule_AddObjectRef(module, "Guard", (PyObject *)&GuardType) < 0 ||
        then_init_module(module) < 0 || spawns_init_module(module) < 0 ||
        greenlet_init_module(module) < 0 || addresses_init_module(module) < 0 ||
        monitoring_init_module(module) < 0 ||
        recorder_init_module(module) < 0 || decode_init_module(module) < 0 ||
        jsonl_init_module(module) < 0 ||
        chrome_init_module(module) < 0 || settrace_init_module(module) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
