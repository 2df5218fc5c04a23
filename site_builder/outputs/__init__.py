"""What the site is made of: views, the plan, the theme's rendering, feeds and data files, the output folder, search."""
