"""The digital twin's simulation components (flood today; urban heat next) on grids of the
territory, with a typed field contract and numba kernels underneath."""
