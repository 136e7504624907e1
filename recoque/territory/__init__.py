"""Real geography and layers of Paris, and raster grids built from them.

``load_territory()`` reads and checks the bundled open data;
``recoque.territory.grid.rasterise(territory, resolution_m=…)`` rasterises it into an xarray Dataset in Lambert-93 (EPSG:2154).
"""

from recoque.territory.model import LEVELS, Territory, load_territory

__all__ = ["LEVELS", "Territory", "load_territory"]
