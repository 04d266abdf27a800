from addin.faces.cli import main

main()
