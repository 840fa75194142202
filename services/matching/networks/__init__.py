"""Network maps: support users' eco-maps and their snapshots, and the pool network of who
knows whom, analysed with networkx."""
