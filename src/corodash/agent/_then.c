/* Then(call, then): gevent.spawn wrapped so that each Greenlet is registered as it is made.
 *
 * A Python wrapper put a frame on every spawning stack gevent reads (each frame's line costs
 * a scan of its code, and gevent keeps an object per frame); this one puts none, and `then`
 * runs after `call` has returned. An error in `then` is the tracer's (contained, tracing
 * stops and says why), never the program's. Other attributes are `call`'s (its name). */
#include "_callbacks.h"

#include <stddef.h>

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *call;
    PyObject *then;
} Then;

static PyObject *
then_call(PyObject *op, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    Then *self = (Then *)op;
    PyObject *result = PyObject_Vectorcall(self->call, args, nargsf, kwnames);
    if (result == NULL || tracing_failed)
        return result;
    PyObject *shown = contain(PyObject_CallOneArg(self->then, result));
    if (shown == NULL) { /* KeyboardInterrupt, SystemExit: the program's to see */
        Py_DECREF(result);
        return NULL;
    }
    Py_DECREF(shown);
    return result;
}

static PyObject *
then_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *call, *then;
    if (!PyArg_ParseTuple(args, "OO:Then", &call, &then))
        return NULL;
    Then *self = (Then *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->vectorcall = then_call;
    self->call = Py_NewRef(call);
    self->then = Py_NewRef(then);
    return (PyObject *)self;
}

static PyObject *
then_getattro(PyObject *op, PyObject *name)
{
    PyObject *found = PyObject_GenericGetAttr(op, name);
    if (found != NULL || !PyErr_ExceptionMatches(PyExc_AttributeError))
        return found;
    PyErr_Clear();
    return PyObject_GetAttr(((Then *)op)->call, name);
}

static int
then_traverse(Then *self, visitproc visit, void *arg)
{
    Py_VISIT(self->call);
    Py_VISIT(self->then);
    return 0;
}

static int
then_clear(Then *self)
{
    Py_CLEAR(self->call);
    Py_CLEAR(self->then);
    return 0;
}

static void
then_dealloc(Then *self)
{
    PyObject_GC_UnTrack(self);
    then_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyTypeObject ThenType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "corodash.agent._speedups.Then",
    .tp_doc = "Then(call, then): call(...), then then(result); returns the result.",
    .tp_basicsize = sizeof(Then),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_vectorcall_offset = offsetof(Then, vectorcall),
    .tp_call = PyVectorcall_Call,
    .tp_getattro = then_getattro,
    .tp_new = then_new,
    .tp_traverse = (traverseproc)then_traverse,
    .tp_clear = (inquiry)then_clear,
    .tp_dealloc = (destructor)then_dealloc,
};

int
then_init_module(PyObject *module)
{
    if (PyType_Ready(&ThenType) < 0)
        return -1;
    return PyModule_AddObjectRef(module, "Then", (PyObject *)&ThenType);
}
