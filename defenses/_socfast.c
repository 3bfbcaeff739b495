/* The SOC's benign alerts while nothing waits in its queue, for a round-the-clock SOC: a compiled twin of the
 * "queue empty" branch of defenses/soc.py's Soc.catch_up (issue 18: a compiled kernel for the SOC queue, with the
 * pure-Python twin kept). It performs the same steps, in the same order, with the same double arithmetic (additions
 * and comparisons only, so the results are bit for bit those of the Python loop), and it hands back to Python
 * whenever something else must happen: a batch of draws to refill, an alert that must join the queue, a backlog to
 * log. tests/test_soc.py runs both and compares every result.
 *
 * run(t, now, free, gaps, minutes, pending, ph, max_age, crowd, backlog, busy)
 *   free: the analysts' next-free times (a heap, list of float); gaps, minutes: the next draws, taken from the end
 *   (lists of float); pending: start times of alerts placed without queueing, live from index ph on (list of
 *   float); backlog: whether a backlog is already logged; busy: the analysts' minutes counted so far (carried
 *   through, so the sum is added in the Python loop's order).
 * returns (t, ph, arrived, dropped, busy, backlog, stop, watch_at, placed)
 *   stop: 0 t > now (done); 1 Python must take the alert at t (draws to refill, or it joins the queue);
 *         2 a backlog to log at watch_at with ``placed`` alerts placed, then go on.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static inline double item(PyObject *list, Py_ssize_t i) { return PyFloat_AS_DOUBLE(PyList_GET_ITEM(list, i)); }

/* heapq.heapreplace(heap, value) for a list of floats: CPython's _heapq algorithm (the smaller child bubbles up to
 * a leaf, then the new item sifts down), so the list's layout stays exactly what heapq would leave. */
static int heapreplace(PyObject *heap, double value) {
    PyObject *newitem = PyFloat_FromDouble(value);
    if (newitem == NULL) return -1;
    PyObject **arr = ((PyListObject *)heap)->ob_item;
    Py_ssize_t endpos = PyList_GET_SIZE(heap), pos = 0, limit = endpos >> 1;
    PyObject *old = arr[0];
    arr[0] = newitem;
    Py_DECREF(old);
    while (pos < limit) {
        Py_ssize_t child = 2 * pos + 1;
        if (child + 1 < endpos && !(PyFloat_AS_DOUBLE(arr[child]) < PyFloat_AS_DOUBLE(arr[child + 1]))) child += 1;
        PyObject *tmp = arr[child];
        arr[child] = arr[pos];
        arr[pos] = tmp;
        pos = child;
    }
    while (pos > 0) {
        Py_ssize_t parent = (pos - 1) >> 1;
        if (!(PyFloat_AS_DOUBLE(arr[pos]) < PyFloat_AS_DOUBLE(arr[parent]))) break;
        PyObject *tmp = arr[parent];
        arr[parent] = arr[pos];
        arr[pos] = tmp;
        pos = parent;
    }
    return 0;
}

static int all_floats(PyObject *list) {
    Py_ssize_t n = PyList_GET_SIZE(list);
    for (Py_ssize_t i = 0; i < n; i++)
        if (!PyFloat_CheckExact(PyList_GET_ITEM(list, i))) return 0;
    return 1;
}

static PyObject *run(PyObject *self, PyObject *args) {
    double t, now, max_age;
    PyObject *free, *gaps, *minutes, *pending;
    Py_ssize_t ph, crowd;
    int backlog;
    double busy;
    if (!PyArg_ParseTuple(args, "ddO!O!O!O!ndnpd", &t, &now, &PyList_Type, &free, &PyList_Type, &gaps, &PyList_Type,
                          &minutes, &PyList_Type, &pending, &ph, &max_age, &crowd, &backlog, &busy))
        return NULL;
    if (PyList_GET_SIZE(free) == 0 || !all_floats(free) || !all_floats(gaps) || !all_floats(minutes) ||
        !all_floats(pending) || ph < 0 || ph > PyList_GET_SIZE(pending)) {
        PyErr_SetString(PyExc_ValueError, "_socfast.run: lists of floats expected");
        return NULL;
    }
    Py_ssize_t ng = PyList_GET_SIZE(gaps), nm = PyList_GET_SIZE(minutes);
    Py_ssize_t arrived = 0, dropped = 0, placed = 0;
    double watch_at = 0.0;
    int stop = 0;
    while (t <= now) {
        if (ng == 0 || nm == 0) { stop = 1; break; }
        Py_ssize_t np = PyList_GET_SIZE(pending);
        while (ph < np && item(pending, ph) <= t) ph++;
        double start = item(free, 0);
        if (start < t) start = t;
        if (start > now) { stop = 1; break; }  /* it joins the queue: Python's part */
        arrived++;
        double m = item(minutes, --nm);
        if (start == t) {  /* an analyst is free: taken at once */
            if (heapreplace(free, t + m) < 0) goto fail;
            busy += m;
            backlog = 0;
            t += item(gaps, --ng);
            continue;
        }
        /* waits, but its start is known: nothing can overtake it any more */
        if (start - t > max_age) {
            dropped++;
        } else {
            if (heapreplace(free, start + m) < 0) goto fail;
            busy += m;
        }
        PyObject *s = PyFloat_FromDouble(start);
        if (s == NULL) goto fail;
        int err = PyList_Append(pending, s);
        Py_DECREF(s);
        if (err < 0) goto fail;
        Py_ssize_t waiting = PyList_GET_SIZE(pending) - ph;
        double at = t;
        t += item(gaps, --ng);
        if (!backlog && waiting >= crowd) { stop = 2; watch_at = at; placed = waiting; break; }
    }
    if (PyList_SetSlice(gaps, ng, PyList_GET_SIZE(gaps), NULL) < 0) return NULL;
    if (PyList_SetSlice(minutes, nm, PyList_GET_SIZE(minutes), NULL) < 0) return NULL;
    return Py_BuildValue("dnnndiidn", t, ph, arrived, dropped, busy, backlog, stop, watch_at, placed);
fail:
    PyList_SetSlice(gaps, ng, PyList_GET_SIZE(gaps), NULL);
    PyList_SetSlice(minutes, nm, PyList_GET_SIZE(minutes), NULL);
    return NULL;
}

static PyMethodDef methods[] = {
    {"run", run, METH_VARARGS, "Benign alerts while the queue is empty (see the module's source)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_socfast", NULL, -1, methods};

PyMODINIT_FUNC PyInit__socfast(void) { return PyModule_Create(&module); }
