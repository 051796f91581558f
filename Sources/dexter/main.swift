print("dexter")
