from glasslab.cli import main

raise SystemExit(main())
