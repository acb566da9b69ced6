import sys
from pathlib import Path

# The package under test lives at the workspace root once the agent has written it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
