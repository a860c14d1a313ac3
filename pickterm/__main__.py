from pickterm.cli import main

raise SystemExit(main())
