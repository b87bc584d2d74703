"""Batch jobs on one core, on every core, or on a Dask cluster, through one code path (issue 17).

A job is a module-level task ``task(context, items) -> results`` run by ``run_batch`` on an executor
(``SerialExecutor``, ``ThreadExecutor`` for a small pre-label job, ``PoolExecutor`` for ``--workers N``,
``DaskExecutor`` for ``--scheduler``); results come back in item order, so outputs are identical whatever
runs them. See docs/scaling.md.
"""

from pixelproof.core.batch.dask_executor import DaskExecutor
from pixelproof.core.batch.executors import (
    LARGE_JOB_IMAGES,
    LARGE_JOB_SECONDS,
    BatchSetupError,
    Executor,
    PoolExecutor,
    SerialExecutor,
    ThreadExecutor,
    WorkerLost,
    is_large_job,
    make_executor,
)
from pixelproof.core.batch.options import BatchOptions, PathMap, job_timestamp
from pixelproof.core.batch.runner import BatchCancelled, Failed, Progress, run_batch
from pixelproof.core.batch.worker import available_cores, cached, worker_threads

__all__ = [
    "LARGE_JOB_IMAGES",
    "LARGE_JOB_SECONDS",
    "BatchCancelled",
    "BatchOptions",
    "BatchSetupError",
    "DaskExecutor",
    "Executor",
    "Failed",
    "PathMap",
    "PoolExecutor",
    "Progress",
    "SerialExecutor",
    "ThreadExecutor",
    "WorkerLost",
    "available_cores",
    "cached",
    "is_large_job",
    "job_timestamp",
    "make_executor",
    "run_batch",
    "worker_threads",
]
