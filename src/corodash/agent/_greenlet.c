/* Greenlet switches: the greenlet tracer's fast path (SwitchHook).
 *
 * A switch between two known greenlets is recorded whole, without a Python object, and so is
 * the end of one that returned nothing. Every other case (a greenlet seen first, one that
 * returned a value, raised or was thrown into) goes to the Python callback of
 * tracer_greenlet.py it stands in front of. */
#include "_callbacks.h"

#include <stddef.h>

static PyObject *str_dead, *str_switch, *str_throw, *str_exception, *str_value;

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

/* `glet.dead`: 1, 0, or -1 on error. Active first: a switch's origin nearly always is, and
 * then one call answers. */
static int
is_dead(PyObject *glet)
{
    if (greenlet_active != NULL)
        return !greenlet_active(glet) && greenlet_started(glet);
    PyObject *dead = PyObject_GetAttr(glet, str_dead);
    if (dead == NULL)
        return -1;
    int answer = PyObject_IsTrue(dead);
    Py_DECREF(dead);
    return answer;
}

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *by_address; /* the registry's AddressTable: id(greenlet) -> task id */
    PyObject *buffer;     /* the channel's Recorder */
    PyObject *gate;
    Py_ssize_t hold_at; /* the offset of the gate's `hold` slot */
    PyObject *fallback; /* the Python callback: first sight, a finished origin */
    PyObject *previous; /* the greenlet tracer this one replaced, or None */
} SwitchHook;

/* `glet.<name>`, as getattr(glet, name, None) has it, is None: 1, 0 when it is not, -1 on
 * error. */
static int
attribute_is_none(PyObject *glet, PyObject *name)
{
    PyObject *value = PyObject_GetAttr(glet, name);
    if (value == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError))
            return -1;
        PyErr_Clear();
        return 1;
    }
    Py_DECREF(value);
    return value == Py_None;
}

/* The RETURN of a finished origin that ended plainly: no exception, no value (what a
 * function that returns nothing leaves, and most greenlets run one). 0 when recorded, 1
 * when the Python callback must say how it ended (a value to repr, an exception, a throw),
 * -1 on error. The Python callback's `_ending` says the same of it. */
static int
record_plain_end(SwitchHook *self, PyObject *glet, uint32_t task, int thrown)
{
    if (thrown)
        return 1;
    int plain = attribute_is_none(glet, str_exception);
    if (plain == 1)
        plain = attribute_is_none(glet, str_value);
    if (plain != 1)
        return plain < 0 ? -1 : 1;
    PyObject *event = Py_BuildValue("(idIO)", RETURN_KIND, recorder_now(), task, Py_None);
    if (event == NULL)
        return -1;
    return recorder_put_tuple((Recorder *)self->buffer, event);
}

/* The fast path's part of a switch: 0 when recorded, 1 when it is not the common case,
 * -1 on error. */
static int
record_switch(SwitchHook *self, PyObject *event, PyObject *origin, PyObject *target)
{
    Record entry = {.kind = SWITCH_KIND, .form = FORM_BINARY};
    if (!address_task(self->by_address, origin, &entry.a) ||
        !address_task(self->by_address, target, &entry.task))
        return 1;
    /* greenlet passes its interned "switch" or "throw": the same objects as ours */
    entry.flag = event == str_throw ||
                 (event != str_switch && PyUnicode_Check(event) &&
                  PyUnicode_CompareWithASCIIString(event, "throw") == 0);
    int dead = is_dead(origin);
    if (dead == 1)
        dead = record_plain_end(self, origin, entry.a, entry.flag);
    if (dead != 0)
        return dead;
    /* complete in its record: no Python object is made */
    entry.ticks = recorder_ticks();
    if (recorder_put((Recorder *)self->buffer, &entry) < 0)
        return -1;
    return after_event(self->gate, self->hold_at);
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
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!O!OOO:SwitchHook", names, &AddressTableType,
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
    if ((self->hold_at = hold_slot(gate)) < 0) {
        Py_DECREF(self);
        return NULL;
    }
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

int
greenlet_init_module(PyObject *module)
{
    if ((str_dead = PyUnicode_InternFromString("dead")) == NULL ||
        (str_switch = PyUnicode_InternFromString("switch")) == NULL ||
        (str_throw = PyUnicode_InternFromString("throw")) == NULL ||
        (str_exception = PyUnicode_InternFromString("exception")) == NULL ||
        (str_value = PyUnicode_InternFromString("value")) == NULL ||
        PyType_Ready(&SwitchHookType) < 0 ||
        PyModule_AddObjectRef(module, "SwitchHook", (PyObject *)&SwitchHookType) < 0)
        return -1;
    return 0;
}
