/* SpawnRecorder(registry, fallback): a gevent Greenlet registered as it is spawned (the
 * `then` of Then, _then.c), in C.
 *
 * In Python (gevent_spawns.spawned) this was 3 us a spawn, most of what corodash added to
 * a gevent Greenlet besides its switches. Here, a Greenlet that runs a function and whose
 * parent is known gets its Task, its address and its SPAWN event as `spawned` makes them;
 * anything else (a callable object, a parent seen first, no weak references to it) goes to
 * `fallback`, which is `spawned` itself. */
#include "_callbacks.h"

#include <stddef.h>

#define SPAWN_KIND 0 /* protocol.SPAWN */

static PyObject *str_run, *str_args, *str_kwargs, *str_parent, *str_next_id, *str_emit,
    *str_on_gone, *str_by_address, *str_tasks, *empty;

/* The Task slots, in the order a SPAWN's fields fill them. */
static const char *const TASK_SLOTS[] = {"address", "frame_address", "tid", "name", "kind",
                                         "parent"};
#define SLOT_COUNT 6

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *registry;
    PyObject *by_address; /* the registry's AddressTable */
    PyObject *tasks;      /* the registry's dict of Tasks by id */
    PyObject *buffer;     /* the Recorder the registry emits into */
    PyObject *on_gone;    /* the registry's callback for a Task whose object is gone */
    PyObject *task_type;
    PyObject *kind;       /* registry.GEVENT */
    PyObject *short_args; /* spawn_args.short_args */
    PyObject *fallback;
    Py_ssize_t slots[SLOT_COUNT];
} SpawnRecorder;

/* Stores `value` (a new reference, stolen) in the slot at `offset` of `obj`. */
static void
set_slot(PyObject *obj, Py_ssize_t offset, PyObject *value)
{
    PyObject **slot = (PyObject **)((char *)obj + offset);
    PyObject *old = *slot;
    *slot = value;
    Py_XDECREF(old);
}

/* The label's arguments: short_args(args, kwargs) when there are any, else "". A new
 * reference, NULL on error. */
static PyObject *
arguments_of(SpawnRecorder *self, PyObject *glet)
{
    PyObject *args = PyObject_GetAttr(glet, str_args);
    if (args == NULL)
        return NULL;
    PyObject *kwargs = PyObject_GetAttr(glet, str_kwargs);
    if (kwargs == NULL) {
        Py_DECREF(args);
        return NULL;
    }
    PyObject *text = NULL;
    int any = PyObject_IsTrue(args);
    if (any == 0)
        any = PyObject_IsTrue(kwargs);
    if (any == 0)
        text = Py_NewRef(empty);
    else if (any > 0)
        text = PyObject_CallFunctionObjArgs(self->short_args, args, kwargs, NULL);
    Py_DECREF(args);
    Py_DECREF(kwargs);
    return text;
}

/* The next task id, taken from the registry's counter: 0 on error. */
static uint32_t
next_id(SpawnRecorder *self)
{
    PyObject *next = PyObject_GetAttr(self->registry, str_next_id);
    if (next == NULL)
        return 0;
    unsigned long tid = PyLong_AsUnsignedLong(next);
    Py_DECREF(next);
    if (tid == (unsigned long)-1 && PyErr_Occurred())
        return 0;
    if (tid == 0 || tid >= UINT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "a task id is 32 bits");
        return 0;
    }
    PyObject *after = PyLong_FromUnsignedLong(tid + 1);
    if (after == NULL || PyObject_SetAttr(self->registry, str_next_id, after) < 0) {
        Py_XDECREF(after);
        return 0;
    }
    Py_DECREF(after);
    return (uint32_t)tid;
}

/* Registers `glet`, which runs `run`, as task `tid` with parent `parent` (an int or None),
 * and records its SPAWN: 0, or -1 with an error set. `task` is its Task, stolen. */
static int
register_task(SpawnRecorder *self, PyObject *glet, PyObject *task, uint32_t tid,
              PyObject *run, PyObject *parent, PyObject *arguments)
{
    PyObject *tid_obj = PyLong_FromUnsignedLong(tid);
    PyObject *address = PyLong_FromVoidPtr(glet);
    if (tid_obj == NULL || address == NULL) {
        Py_XDECREF(tid_obj);
        Py_XDECREF(address);
        Py_DECREF(task);
        return -1;
    }
    PyObject *name = ((PyFunctionObject *)run)->func_name;
    PyObject *values[SLOT_COUNT] = {address, Py_None, tid_obj, name, self->kind, parent};
    for (int i = 0; i < SLOT_COUNT; i++)
        set_slot(task, self->slots[i], Py_NewRef(values[i]));
    int failed = PyDict_SetItem(self->tasks, tid_obj, task) < 0 ||
                 address_table_put(self->by_address, glet, tid) < 0;
    Py_DECREF(task);
    Py_DECREF(address);
    if (failed) {
        Py_DECREF(tid_obj);
        return -1;
    }
    PyCodeObject *code = (PyCodeObject *)PyFunction_GET_CODE(run);
    PyObject *label = PyUnicode_GET_LENGTH(arguments)
                          ? PyUnicode_FromFormat("%U(%U)", name, arguments)
                          : Py_NewRef(name);
    PyObject *event = NULL;
    if (label != NULL)
        event = Py_BuildValue("(idNOOOOiN)", SPAWN_KIND, recorder_now(), tid_obj, name,
                              self->kind, parent, code->co_filename, code->co_firstlineno,
                              label);
    else
        Py_DECREF(tid_obj);
    if (event == NULL)
        return -1;
    return recorder_put_tuple((Recorder *)self->buffer, event);
}

/* The common case: 0 when registered (or known already), 1 when `fallback` must do it, -1
 * on error. */
static int
record_spawn(SpawnRecorder *self, PyObject *glet)
{
    uint32_t tid, parent_tid;
    if (address_task(self->by_address, glet, &tid))
        return 0;
    PyObject *run = PyObject_GetAttr(glet, str_run);
    if (run == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError))
            return -1;
        PyErr_Clear();
        return 1;
    }
    PyObject *parent_glet = NULL, *parent = NULL, *arguments = NULL, *task = NULL;
    int status = 1;
    if (!PyFunction_Check(run))
        goto done;
    if ((parent_glet = PyObject_GetAttr(glet, str_parent)) == NULL)
        goto failed;
    if (parent_glet == Py_None)
        parent = Py_NewRef(Py_None);
    else if (address_task(self->by_address, parent_glet, &parent_tid))
        parent = PyLong_FromUnsignedLong(parent_tid);
    else /* seen first: the registry makes its task */
        goto done;
    if (parent == NULL || (arguments = arguments_of(self, glet)) == NULL)
        goto failed;
    task = PyObject_CallFunctionObjArgs(self->task_type, glet, self->on_gone, NULL);
    if (task == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_TypeError)) /* else: no weak references to it */
            goto failed;
        PyErr_Clear();
        goto done;
    }
    if ((tid = next_id(self)) == 0) {
        Py_DECREF(task);
        goto failed;
    }
    status = register_task(self, glet, task, tid, run, parent, arguments);
    goto done;
failed:
    status = -1;
done:
    Py_DECREF(run);
    Py_XDECREF(parent_glet);
    Py_XDECREF(parent);
    Py_XDECREF(arguments);
    return status;
}

static PyObject *
spawn_recorder_call(PyObject *op, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    SpawnRecorder *self = (SpawnRecorder *)op;
    if (PyVectorcall_NARGS(nargsf) != 1 || kwnames != NULL) {
        PyErr_SetString(PyExc_TypeError, "SpawnRecorder takes the spawned Greenlet");
        return NULL;
    }
    int status = record_spawn(self, args[0]);
    if (status < 0)
        return NULL;
    if (status == 1)
        return PyObject_CallOneArg(self->fallback, args[0]);
    Py_RETURN_NONE;
}

/* registry.<name>, checked to be of `type`: a new reference, NULL with an error set. */
static PyObject *
registry_part(PyObject *registry, PyObject *name, PyTypeObject *type)
{
    PyObject *part = PyObject_GetAttr(registry, name);
    if (part != NULL && !PyObject_TypeCheck(part, type)) {
        PyErr_Format(PyExc_TypeError, "registry.%U is not a %s", name, type->tp_name);
        Py_CLEAR(part);
    }
    return part;
}

static PyObject *
spawn_recorder_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *names[] = {"registry", "task_type", "kind", "short_args", "fallback", NULL};
    PyObject *registry, *task_type, *kind, *short_args, *fallback;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO!UOO:SpawnRecorder", names, &registry,
                                     &PyType_Type, &task_type, &kind, &short_args, &fallback))
        return NULL;
    SpawnRecorder *self = (SpawnRecorder *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->vectorcall = spawn_recorder_call;
    self->registry = Py_NewRef(registry);
    self->task_type = Py_NewRef(task_type);
    self->kind = Py_NewRef(kind);
    self->short_args = Py_NewRef(short_args);
    self->fallback = Py_NewRef(fallback);
    PyObject *emit = PyObject_GetAttr(registry, str_emit);
    if (emit != NULL && PyCFunction_Check(emit) && PyCFunction_GET_SELF(emit) != NULL &&
        Py_IS_TYPE(PyCFunction_GET_SELF(emit), &RecorderType))
        self->buffer = Py_NewRef(PyCFunction_GET_SELF(emit));
    else if (emit != NULL)
        PyErr_SetString(PyExc_TypeError, "the registry emits into something else than a "
                                         "Recorder's append");
    Py_XDECREF(emit);
    if (self->buffer == NULL ||
        (self->by_address = registry_part(registry, str_by_address, &AddressTableType)) ==
            NULL ||
        (self->tasks = registry_part(registry, str_tasks, &PyDict_Type)) == NULL ||
        (self->on_gone = PyObject_GetAttr(registry, str_on_gone)) == NULL) {
        Py_DECREF(self);
        return NULL;
    }
    for (int i = 0; i < SLOT_COUNT; i++)
        if ((self->slots[i] = slot_offset((PyTypeObject *)task_type, TASK_SLOTS[i])) < 0) {
            Py_DECREF(self);
            return NULL;
        }
    return (PyObject *)self;
}

static int
spawn_recorder_traverse(SpawnRecorder *self, visitproc visit, void *arg)
{
    Py_VISIT(self->registry);
    Py_VISIT(self->by_address);
    Py_VISIT(self->tasks);
    Py_VISIT(self->buffer);
    Py_VISIT(self->on_gone);
    Py_VISIT(self->task_type);
    Py_VISIT(self->kind);
    Py_VISIT(self->short_args);
    Py_VISIT(self->fallback);
    return 0;
}

static int
spawn_recorder_clear(SpawnRecorder *self)
{
    Py_CLEAR(self->registry);
    Py_CLEAR(self->by_address);
    Py_CLEAR(self->tasks);
    Py_CLEAR(self->buffer);
    Py_CLEAR(self->on_gone);
    Py_CLEAR(self->task_type);
    Py_CLEAR(self->kind);
    Py_CLEAR(self->short_args);
    Py_CLEAR(self->fallback);
    return 0;
}

static void
spawn_recorder_dealloc(SpawnRecorder *self)
{
    PyObject_GC_UnTrack(self);
    spawn_recorder_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyTypeObject SpawnRecorderType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "corodash.agent._speedups.SpawnRecorder",
    .tp_doc = "SpawnRecorder(registry, task_type, kind, short_args, fallback)(greenlet): "
              "registers a spawned gevent Greenlet; what it cannot, fallback does.",
    .tp_basicsize = sizeof(SpawnRecorder),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_vectorcall_offset = offsetof(SpawnRecorder, vectorcall),
    .tp_call = PyVectorcall_Call,
    .tp_new = spawn_recorder_new,
    .tp_traverse = (traverseproc)spawn_recorder_traverse,
    .tp_clear = (inquiry)spawn_recorder_clear,
    .tp_dealloc = (destructor)spawn_recorder_dealloc,
};

int
spawns_init_module(PyObject *module)
{
    if ((str_run = PyUnicode_InternFromString("_run")) == NULL ||
        (str_args = PyUnicode_InternFromString("args")) == NULL ||
        (str_kwargs = PyUnicode_InternFromString("kwargs")) == NULL ||
        (str_parent = PyUnicode_InternFromString("parent")) == NULL ||
        (str_next_id = PyUnicode_InternFromString("_next_id")) == NULL ||
        (str_emit = PyUnicode_InternFromString("emit")) == NULL ||
        (str_on_gone = PyUnicode_InternFromString("_on_gone")) == NULL ||
        (str_by_address = PyUnicode_InternFromString("by_address")) == NULL ||
        (str_tasks = PyUnicode_InternFromString("tasks")) == NULL ||
        (empty = PyUnicode_New(0, 0)) == NULL || PyType_Ready(&SpawnRecorderType) < 0)
        return -1;
    return PyModule_AddObjectRef(module, "SpawnRecorder", (PyObject *)&SpawnRecorderType);
}
