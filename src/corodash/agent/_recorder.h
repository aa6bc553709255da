/* The event recorder shared by the compiled tracer callbacks (_recorder.c).
 *
 * Every event is one fixed 24-byte record in a bounded ring owned by the agent; a switch
 * between known greenlets is complete in its record (no Python object made), any other
 * event keeps its tuple in a side list the record points to in order. docs/recording.md
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
#define SWITCH_KIND 5 /* protocol.SWITCH: the one kind recorded complete */

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

/* Appends an event tuple (code, t, task, ...): steals the reference, even on failure. */
int recorder_put_tuple(Recorder *self, PyObject *event);

/* Adds Recorder and decode to the module. */
int recorder_init_module(PyObject *module);

/* Adds jsonl (_jsonl.c) to the module. */
int jsonl_init_module(PyObject *module);

/* Seconds on time.perf_counter's clock. */
double recorder_now(void);

#endif
