"""Peak memory and time of `frontwatch export --format parquet` on a big store, and what geopandas reads.

The export runs as its own process (the real CLI); its peak resident memory is the child's ru_maxrss.
Then geopandas opens the file: the geometry column's CRS and types, and the row count.

    .venv/bin/python bench/export_parquet.py [--events 1000000] [--db PATH] [-o FILE]

Without --db it uses (or builds, as bench/api.py does) .cache/bench/api-<events>.db.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api import _sqlite_store


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--base-rows", type=int, default=150)
    parser.add_argument("--db", help="SQLite store to export (default: the bench store of --events)")
    parser.add_argument("-o", "--output", help="Parquet file to write (default: a temporary one)")
    args = parser.parse_args()

    db = args.db or _sqlite_store(args.events, args.base_rows, None)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.output or Path(tmp) / "events.parquet")
        cli = str(Path(sys.executable).with_name("frontwatch"))
        t0 = time.perf_counter()
        done = subprocess.run([cli, "--db", db, "export", "--format", "parquet", "-o", str(out)], check=False)
        seconds = time.perf_counter() - t0
        if done.returncode != 0:
            raise SystemExit(f"export failed with exit code {done.returncode}")
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # kB on Linux
        size_mb = out.stat().st_size / 2**20
        print(
            f"export: {seconds:.1f} s, peak memory of the export process {peak_mb:.0f} MB, "
            f"file {size_mb:.0f} MB"
        )

        import geopandas
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(out).metadata
        frame = geopandas.read_parquet(out, columns=["id", "geometry"])
        kinds = sorted(set(frame.geometry.dropna().geom_type))
        print(
            f"geopandas: {len(frame)} rows in {meta.num_row_groups} row groups, geometry types {kinds}, "
            f"CRS EPSG:{frame.crs.to_epsg() if frame.crs else None}, "
            f"{int(frame.geometry.isna().sum())} without a place"
        )


if __name__ == "__main__":
    main()
