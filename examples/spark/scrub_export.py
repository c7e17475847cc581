#!/usr/bin/env python3
"""Scrub a Langfuse JSONL export larger than one machine with Spark, through `pii-scrub jsonl`.

Each partition of the input is piped through the filter (RDD.pipe): one long-lived
`pii-scrub jsonl` process per partition, lines in, the same number of lines out, in order.
Spark only moves lines; all parsing and scrubbing happens in the filter, so the output is
what `pii-scrub jsonl` gives on one machine (see README.md here for the caveats).

Usage:
  spark-submit scrub_export.py INPUT OUTPUT_DIR [--binary PATH] [--filter-args "..."]
  python3 scrub_export.py INPUT OUTPUT_DIR ...        (local mode, pyspark from pip)

INPUT may be a file, a directory or a glob (s3a://bucket/project/observations_v2/*.jsonl.gz on a
cluster configured for S3). The binary must exist at the same path on every executor (ship it
with --files, or bake it into the executor image); by default it is `pii-scrub` on PATH.
"""
import argparse
import os
import shlex
import sys

from pyspark.sql import SparkSession


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--binary", default="pii-scrub")
    parser.add_argument("--filter-args", default="--patterns seed --jobs 1",
                        help="arguments for `pii-scrub jsonl` (one job per task: Spark parallelises)")
    parser.add_argument("--partitions", type=int, default=0, help="repartition to N (0: keep the input's)")
    args = parser.parse_args()

    spark = SparkSession.builder.appName("pii-scrub-jsonl").getOrCreate()
    sc = spark.sparkContext
    # textFile splits on \n, \r\n and \r; lines are re-joined with \n by pipe(). Langfuse exports
    # use \n only; a bare \r inside a line would be split by Hadoop's reader (see README).
    lines = sc.textFile(args.input)
    if args.partitions:
        lines = lines.repartition(args.partitions)
    command = " ".join(shlex.quote(a) for a in [args.binary, "jsonl"] + shlex.split(args.filter_args))
    # pipe() runs the command with exactly `env` (PATH included), so pass PATH along.
    env = {"PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin")}
    # checkCode: a filter exit status other than 0 fails the task (and Spark retries it), so a
    # --strict failure or a crash never yields a silently truncated partition.
    scrubbed = lines.pipe(command, env=env, checkCode=True)
    scrubbed.saveAsTextFile(args.output)
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
