print("nightjar")
