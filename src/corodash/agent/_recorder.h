/* The event recorder shared by the compiled tracer callbacks (_recorder.c).
 *
 * Every event is one fixed 24-byte record in a bounded ring owned by the agent; a switch
 * between known greenlets, a generator's plain next() and a yield of a small int, None,
 * True or False are complete in their record (no Python object made), any other event
 * keeps its tuple in a side list the record points to in order. docs/recording.md
 * describes the layout. */
#ifndef CORODASH_RECORDER_H
#define CORODASH_RECORDER_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

#define RECORD_SIZE 24
#define FORM_BINARY 0
#define FORM_TUPLE 1
#define NO_TASK 0xFFFFFFFFu
#define YIELD_KIND 1  /* protocol.YIELD */
#define RESUME_KIND 2 /* protocol.RESUME */
#define RETURN_KIND 3 /* protocol.RETURN */
#define SWITCH_KIND 5 /* protocol.SWITCH */

/* How a whole yield or resume record holds its value (`flag`): an int in `a`, or a
 * constant. Values of other kinds keep their tuple. */
#define VALUE_INT 0
#define VALUE_NONE 1
#define VALUE_TRUE 2
#define VALUE_FALSE 3

typedef struct {
    double t;
    uint8_t kind;
    uint8_t form;
    uint16_t flag;
    uint32_t task;
    uint32_t a;
    uint32_t b;
} Record;

typedef struct Recorder Recorder;

extern PyTypeObject RecorderType;

/* Appends a complete record; waits (the GIL released) while the ring is full. 0 or -1. */
int recorder_put(Recorder *self, const Record *record);

/* Whether `value` fits a whole record: sets its flag and `a` (1), or not (0). */
int recorder_value(PyObject *value, uint16_t *flag, uint32_t *a);

/* Appends an event tuple (code, t, task, ...): steals the reference, even on failure. */
int recorder_put_tuple(Recorder *self, PyObject *event);

/* The agent tuple of a whole record (_decode.c): a new reference, NULL on error. */
PyObject *binary_event(const Record *record);

/* Add Recorder (_recorder.c) and decode (_decode.c) to the module. */
int recorder_init_module(PyObject *module);
int decode_init_module(PyObject *module);

/* Adds jsonl (_jsonl.c) to the module. */
int jsonl_init_module(PyObject *module);

/* Seconds on time.perf_counter's clock. */
double recorder_now(void);

#endif
